package conman_test

import (
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/conman/services"
)

// An in-process session is a session like any other: it shares a channel
// with a WebSocket session and each sees the other's messages, with no
// listener, HTTP or token in between.
func TestInProcessSessionSharesChannelsWithWebSocketSessions(t *testing.T) {
	h := newTestHub(t, nil)
	conn, err := h.Connect(services.User{ID: 7, Name: "inproc", CanWrite: true})
	if err != nil {
		t.Fatal(err)
	}
	local, err := client.New(ctxT(t), conn)
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()
	remote := h.dial(t, "ada")

	lch := open(t, local, "chat", "room", api.OpenChannel_ATTACH_OR_CREATE)
	rch := open(t, remote, "chat", "room", api.OpenChannel_ATTACH_OR_CREATE)
	if err := lch.Send(ctxT(t), chatMsg("from inside")); err != nil {
		t.Fatal(err)
	}
	if got := next(t, rch.Stream()).GetChatMessage(); got.GetText() != "from inside" || got.GetUsername() != "inproc" {
		t.Fatalf("the WebSocket session got %v, want the in-process session's message", got)
	}
	if err := rch.Send(ctxT(t), chatMsg("from outside")); err != nil {
		t.Fatal(err)
	}
	if got := next(t, lch.Stream()).GetChatMessage(); got.GetText() != "from outside" {
		t.Fatalf("the in-process session got %v", got)
	}
}

// Closing the in-process end ends its session, and hub shutdown closes
// in-process sessions with 1001 like the others.
func TestInProcessSessionEnds(t *testing.T) {
	h := newTestHub(t, nil)
	conn, err := h.Connect(services.User{ID: 7, Name: "inproc", CanWrite: true})
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(ctxT(t), conn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Ping(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if err := h.Shutdown(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if code, reason := closeCode(t, c); code != 1001 || reason != "pid1 is shutting down" {
		t.Fatalf("closed with %d %q, want 1001", code, reason)
	}
	if _, err := h.Connect(services.User{Name: "late"}); err == nil {
		t.Fatal("Connect after shutdown succeeded")
	}
}

// Peers (what services get) open channels and see their traffic.
func TestDialGivesAServiceAPeer(t *testing.T) {
	h := newTestHub(t, nil)
	p, err := h.Dial(ctxT(t), services.User{ID: 7, Name: "svc", CanWrite: true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ch, err := p.Open(ctxT(t), "chat", "room", api.OpenChannel_ATTACH_OR_CREATE)
	if err != nil {
		t.Fatal(err)
	}
	remote := open(t, h.dial(t, "ada"), "chat", "room", api.OpenChannel_ATTACH)
	if err := remote.Send(ctxT(t), chatMsg("hi svc")); err != nil {
		t.Fatal(err)
	}
	if got := next(t, ch.Stream()).GetChatMessage().GetText(); got != "hi svc" {
		t.Fatalf("the peer got %q", got)
	}
	if _, err := p.Open(ctxT(t), "nosuch", "", api.OpenChannel_CREATE); err == nil {
		t.Fatal("opening an unknown service through a peer succeeded")
	}
}

// A connection starts as a goval container's does: boot stages, then
// READY, before anything else.
func TestHandshakeBootsThenReady(t *testing.T) {
	h := newTestHub(t, nil)
	conn, err := h.Connect(services.User{ID: 7, Name: "raw", CanWrite: true})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	var got []string
	for len(got) < 3 {
		_, b, err := conn.Read(ctxT(t))
		if err != nil {
			t.Fatal(err)
		}
		var cmd api.Command
		if err := proto.Unmarshal(b, &cmd); err != nil {
			t.Fatal(err)
		}
		if cmd.Channel != 0 {
			t.Fatalf("a command on channel %d during the handshake", cmd.Channel)
		}
		switch {
		case cmd.GetBootStatus() != nil:
			got = append(got, cmd.GetBootStatus().GetStage().String())
		case cmd.GetContainerState() != nil:
			got = append(got, cmd.GetContainerState().GetState().String())
		}
	}
	if strings.Join(got, " ") != "HANDSHAKE COMPLETE READY" {
		t.Fatalf("handshake %v", got)
	}
}
