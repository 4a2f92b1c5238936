package conman_test

import (
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman"
)

// Sessions that do not read cannot make pid1 hold more than its memory
// budget: a user over its share, or the session holding the most when
// the whole budget is full, is cut off (1013), while a session that reads
// goes on receiving everything.
func TestMemoryBudgetCutsOffWhoHoldsTheMost(t *testing.T) {
	t.Parallel()
	h := newTestHub(t, func(c *conman.Config) {
		c.Registry.Register(relayDescriptor)
		c.MemoryBudget = 8 << 20 // per-user share 4 MiB, per-session queue 2 MiB
	})
	sender := open(t, h.dial(t, "sender"), "relay", "room", api.OpenChannel_ATTACH_OR_CREATE)
	reader := open(t, h.dial(t, "reader-with-a-long-name"), "relay", "room", api.OpenChannel_ATTACH_OR_CREATE)
	var sleepers []*websocket.Conn
	for _, name := range []string{"hog", "hog", "hog", "pig1", "pig2"} {
		raw, _, err := websocket.Dial(ctxT(t), h.url(name), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.CloseNow()
		if err := raw.Write(ctxT(t), websocket.MessageBinary, mustMarshal(t, &api.Command{Ref: "o",
			Body: &api.Command_OpenChan{OpenChan: &api.OpenChannel{Service: "relay", Name: "room", Action: api.OpenChannel_ATTACH}}})); err != nil {
			t.Fatal(err)
		}
		sleepers = append(sleepers, raw)
	}
	time.Sleep(200 * time.Millisecond) // attached; they read nothing from now on
	chunk := strings.Repeat("m", 512<<10)
	for i := range 60 { // 30 MiB to each session
		if err := sender.Send(ctxT(t), &api.Command{Body: &api.Command_Output{Output: chunk}}); err != nil {
			t.Fatal(err)
		}
		if got := next(t, reader.Stream()).GetOutput(); len(got) != len(chunk) {
			t.Fatalf("message %d to the reader: %d bytes", i, len(got))
		}
	}
	for deadline := time.Now().Add(20 * time.Second); !h.slowDisconnects(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no session that holds output was cut off")
		}
	}
	if n := h.counter(t, "pid1_slow_client_disconnects_total"); n < len(sleepers) {
		t.Fatalf("%d sessions cut off, want all %d that did not read", n, len(sleepers))
	}
}
