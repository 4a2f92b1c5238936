package audio_test

import (
	"testing"

	"go.uber.org/goleak"
)

// The player's goroutines end with Close, and the channels' with the hub.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
