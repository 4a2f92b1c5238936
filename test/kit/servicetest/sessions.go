package servicetest

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pid1/pid1/conman"
)

// Sessions is how many sessions h has now (its pid1_sessions gauge).
func Sessions(t testing.TB, h *conman.Hub) int {
	t.Helper()
	for l := range strings.Lines(Metrics(t, h)) {
		if v, ok := strings.CutPrefix(l, "pid1_sessions "); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatalf("metrics: %q", l)
			}
			return n
		}
	}
	t.Fatal("no pid1_sessions in the metrics")
	return 0
}

// WaitSessions waits until h has n sessions, failing the test if it does
// not within 30 s. A session is counted out only once its leaving is
// queued on the actor of each channel it was attached to, so a command
// sent on one of those channels afterwards reaches the service after the
// service's Detach.
func WaitSessions(t testing.TB, h *conman.Hub, n int) {
	t.Helper()
	guard := time.Now().Add(30 * time.Second) // against a hang, not a speed target
	for Sessions(t, h) != n {
		if time.Now().After(guard) {
			t.Fatalf("the hub has %d sessions, not %d", Sessions(t, h), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
