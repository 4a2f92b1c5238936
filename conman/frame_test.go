package conman_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman"
	"github.com/pid1/pid1/conman/services"
)

// bigMsg is message i: large enough for a pooled, shared frame (64 KiB
// and up), of a size and content of its own.
func bigMsg(i int) string {
	return fmt.Sprintf("%04d:", i) + strings.Repeat(string(rune('a'+i%26)), 64<<10+i*5000)
}

// relay is a service for this test: every output it gets goes to the
// other sessions and into a history that each session that attaches is
// sent, with no bound (chat bounds its messages and scrollback).
type relay struct {
	ch      services.Channel
	history []string
}

func (r *relay) Attach(s services.Session) {
	for _, text := range r.history {
		services.To(r.ch, s.ID, &api.Command{Body: &api.Command_Output{Output: text}})
	}
}

func (r *relay) Command(s services.Session, cmd *api.Command) error {
	r.history = append(r.history, cmd.GetOutput())
	services.Others(r.ch, s.ID, &api.Command{Body: &api.Command_Output{Output: cmd.GetOutput()}})
	return nil
}

var relayDescriptor = services.Descriptor{Name: "relay", New: func(ch services.Channel) (services.Service, error) {
	return &relay{ch: ch}, nil
}}

// TestLargeFramesSharedBySessionsArriveIntact sends large messages,
// each encoded once into a pooled buffer that every recipient's queue
// shares, while sessions come and go: a buffer given back to the pool
// while some session still had to write it would show up as a wrong
// message (and as a race under -race).
func TestLargeFramesSharedBySessionsArriveIntact(t *testing.T) {
	h := newTestHub(t, func(c *conman.Config) { c.Registry.Register(relayDescriptor) })
	alice := h.dial(t, "alice")
	a := open(t, alice, "relay", "room", api.OpenChannel_ATTACH_OR_CREATE)
	readers := []string{"bob", "carol"}
	streams := map[string]<-chan *api.Command{}
	for _, name := range readers {
		streams[name] = open(t, h.dial(t, name), "relay", "room", api.OpenChannel_ATTACH_OR_CREATE).Stream()
	}
	const n = 40
	var dave interface{ Close() error }
	for i := range n {
		switch i {
		case n / 4: // a session that joins, and leaves while frames may still be queued for it
			dc := h.dial(t, "dave")
			open(t, dc, "relay", "room", api.OpenChannel_ATTACH_OR_CREATE)
			dave = dc
		case n / 2:
			dave.Close()
		}
		if err := a.Send(ctxT(t), &api.Command{Body: &api.Command_Output{Output: bigMsg(i)}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range readers {
		for i := range n {
			got := next(t, streams[name]).GetOutput()
			if got != bigMsg(i) {
				t.Fatalf("%s: message %d: got %d bytes starting %.8q, want %d bytes", name, i, len(got), got, len(bigMsg(i)))
			}
		}
	}
	// A late joiner gets the scrollback, each message a frame for it alone.
	late := open(t, h.dial(t, "erin"), "relay", "room", api.OpenChannel_ATTACH_OR_CREATE).Stream()
	for i := range n {
		if got := next(t, late).GetOutput(); got != bigMsg(i) {
			t.Fatalf("erin's scrollback: message %d: got %d bytes starting %.8q", i, len(got), got)
		}
	}
}
