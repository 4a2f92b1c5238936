package conman_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pid1/pid1/api"
)

// bigMsg is chat message i: large enough for a pooled, shared frame
// (64 KiB and up), of a size and content of its own.
func bigMsg(i int) string {
	return fmt.Sprintf("%04d:", i) + strings.Repeat(string(rune('a'+i%26)), 64<<10+i*5000)
}

// TestLargeFramesSharedBySessionsArriveIntact sends large chat messages,
// each encoded once into a pooled buffer that every recipient's queue
// shares, while sessions come and go: a buffer given back to the pool
// while some session still had to write it would show up as a wrong
// message (and as a race under -race).
func TestLargeFramesSharedBySessionsArriveIntact(t *testing.T) {
	h := newTestHub(t, nil)
	alice := h.dial(t, "alice")
	a := open(t, alice, "chat", "room", api.OpenChannel_ATTACH_OR_CREATE)
	readers := []string{"bob", "carol"}
	streams := map[string]<-chan *api.Command{}
	for _, name := range readers {
		streams[name] = open(t, h.dial(t, name), "chat", "room", api.OpenChannel_ATTACH_OR_CREATE).Stream()
	}
	const n = 40
	var dave interface{ Close() error }
	for i := range n {
		switch i {
		case n / 4: // a session that joins, and leaves while frames may still be queued for it
			dc := h.dial(t, "dave")
			open(t, dc, "chat", "room", api.OpenChannel_ATTACH_OR_CREATE)
			dave = dc
		case n / 2:
			dave.Close()
		}
		if err := a.Send(ctxT(t), &api.Command{Body: &api.Command_ChatMessage{ChatMessage: &api.ChatMessage{Text: bigMsg(i)}}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range readers {
		for i := range n {
			got := next(t, streams[name]).GetChatMessage().GetText()
			if got != bigMsg(i) {
				t.Fatalf("%s: message %d: got %d bytes starting %.8q, want %d bytes", name, i, len(got), got, len(bigMsg(i)))
			}
		}
	}
	// A late joiner gets the scrollback, each message a frame for it alone.
	late := open(t, h.dial(t, "erin"), "chat", "room", api.OpenChannel_ATTACH_OR_CREATE).Stream()
	for i := range n {
		if got := next(t, late).GetChatMessage().GetText(); got != bigMsg(i) {
			t.Fatalf("erin's scrollback: message %d: got %d bytes starting %.8q", i, len(got), got)
		}
	}
}
