package conman_test

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/conman"
	"github.com/pid1/pid1/conman/services"
)

// procDescriptor is a service whose channels count as running a process
// (Starts), as a shell's do; closed counts the instances closed.
func procDescriptor(closed *atomic.Int32) services.Descriptor {
	return services.Descriptor{Name: "proc", Starts: true, New: func(services.Channel) (services.Service, error) {
		return closer{closed}, nil
	}}
}

type closer struct{ n *atomic.Int32 }

func (closer) Command(services.Session, *api.Command) error { return nil }
func (c closer) Close()                                     { c.n.Add(1) }

func TestSessionsPerUserAreLimited(t *testing.T) {
	t.Parallel()
	h := newTestHub(t, func(c *conman.Config) { c.MaxSessionsPerUser = 2 })
	h.dial(t, "ada")
	h.dial(t, "ada")
	if _, err := client.Dial(ctxT(t), h.url("ada"), nil); err == nil || !strings.Contains(err.Error(), "HTTP 503: too many sessions of user ada (limit 2 per user)") {
		t.Fatalf("a third session of one user: %v", err)
	}
	h.dial(t, "bobby") // others are not affected (the test hub's user ids are name lengths)
}

func TestProcessChannelsPerUserAreLimited(t *testing.T) {
	t.Parallel()
	var closed atomic.Int32
	h := newTestHub(t, func(c *conman.Config) {
		c.Registry.Register(procDescriptor(&closed))
		c.MaxProcessChannelsPerUser = 2
	})
	ada := h.dial(t, "ada")
	first := open(t, ada, "proc", "one", api.OpenChannel_CREATE)
	open(t, ada, "proc", "two", api.OpenChannel_CREATE)
	if _, err := ada.Open(ctxT(t), "proc", "three", api.OpenChannel_CREATE); err == nil ||
		!strings.Contains(err.Error(), "too many open channels running a process for user ada (limit 2)") {
		t.Fatalf("a third process channel: %v", err)
	}
	open(t, h.dial(t, "bobby"), "proc", "bobs", api.OpenChannel_CREATE) // bobby has his own allowance
	if _, err := first.Close(ctxT(t), api.CloseChannel_CLOSE); err != nil {
		t.Fatal(err)
	}
	open(t, ada, "proc", "three", api.OpenChannel_CREATE) // closing one gives its place back
}

// A named channel running a process that everyone has left is closed
// after the idle timeout; one that someone comes back to lives on.
func TestAbandonedProcessChannelsAreClosed(t *testing.T) {
	t.Parallel()
	var closed atomic.Int32
	h := newTestHub(t, func(c *conman.Config) {
		c.Registry.Register(procDescriptor(&closed))
		c.IdleChannelTimeout = 300 * time.Millisecond
	})
	ada := h.dial(t, "ada")
	for _, name := range []string{"abandoned", "revisited"} {
		ch := open(t, ada, "proc", name, api.OpenChannel_CREATE)
		if st, err := ch.Close(ctxT(t), api.CloseChannel_DISCONNECT); err != nil || st != api.CloseChannelRes_DISCONNECT {
			t.Fatalf("disconnect from %s: %v %v", name, st, err)
		}
	}
	open(t, ada, "proc", "revisited", api.OpenChannel_ATTACH)
	for deadline := time.Now().Add(10 * time.Second); closed.Load() == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the abandoned channel was never closed")
		}
	}
	if _, err := ada.Open(ctxT(t), "proc", "abandoned", api.OpenChannel_ATTACH); err == nil || !strings.Contains(err.Error(), `no channel named "abandoned"`) {
		t.Fatalf("attaching to the closed channel: %v", err)
	}
	time.Sleep(500 * time.Millisecond)
	if n := closed.Load(); n != 1 {
		t.Fatalf("%d channels closed, want only the abandoned one", n)
	}
}
