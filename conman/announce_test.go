package conman_test

import (
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman"
	"github.com/pid1/pid1/conman/services"
)

func portOpen(port uint32) *api.Command {
	return &api.Command{Body: &api.Command_PortOpen{PortOpen: &api.PortOpen{Port: port, Address: "0.0.0.0"}}}
}

// A session gets the greeting right after READY, and then every
// announcement, on channel 0; one that connects later gets the greeting
// of that moment.
func TestGreetingThenAnnouncements(t *testing.T) {
	greeting := []*api.Command{portOpen(8080)}
	h := newTestHub(t, func(c *conman.Config) {
		c.Greeting = func() []*api.Command { return greeting }
	})
	conn, err := h.Connect(services.User{ID: 7, Name: "raw", CanWrite: true})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	read := func() *api.Command {
		t.Helper()
		_, b, err := conn.Read(ctxT(t))
		if err != nil {
			t.Fatal(err)
		}
		var cmd api.Command
		if err := proto.Unmarshal(b, &cmd); err != nil {
			t.Fatal(err)
		}
		return &cmd
	}
	for {
		if read().GetContainerState() != nil {
			break
		}
	}
	if cmd := read(); cmd.Channel != 0 || cmd.GetPortOpen().GetPort() != 8080 {
		t.Fatalf("after READY: %v", cmd)
	}
	h.Announce(portOpen(3000))
	if cmd := read(); cmd.Channel != 0 || cmd.GetPortOpen().GetPort() != 3000 {
		t.Fatalf("the announcement: %v", cmd)
	}

	greeting = append(greeting, portOpen(3000))
	c := h.dial(t, "late")
	var ports []uint32
	for len(ports) < 2 {
		if p := next(t, c.Control()).GetPortOpen(); p != nil {
			ports = append(ports, p.Port)
		}
	}
	if ports[0] != 8080 || ports[1] != 3000 {
		t.Fatalf("the late session's greeting: %v", ports)
	}
}
