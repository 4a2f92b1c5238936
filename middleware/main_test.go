package middleware_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Every goroutine a test's services started has ended by the time the
// package's tests are done (the hub waits for what services start with
// Channel.Go).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
