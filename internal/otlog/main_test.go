package otlog

import (
	"testing"

	"go.uber.org/goleak"
)

// No writer goroutine outlives its Log.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
