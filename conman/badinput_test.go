package conman_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman"
)

func TestTextFrameCloses1003(t *testing.T) {
	t.Parallel()
	h := newTestHub(t, nil)
	c := h.dial(t, "x")
	if err := c.SendRaw(ctxT(t), websocket.MessageText, []byte("hello")); err != nil {
		t.Fatal(err)
	}
	if code, reason := closeCode(t, c); code != websocket.StatusUnsupportedData || !strings.Contains(reason, "binary") {
		t.Fatalf("close %d %q", code, reason)
	}
}

func TestUndecodableFrame(t *testing.T) {
	t.Parallel()
	h := newTestHub(t, nil)
	c := h.dial(t, "x")
	if err := c.SendRaw(ctxT(t), websocket.MessageBinary, []byte{0xff, 0xff, 0xff}); err != nil {
		t.Fatal(err)
	}
	pe := next(t, c.Control()).GetProtocolError()
	if pe == nil || !strings.Contains(pe.Text, "cannot decode") {
		t.Fatalf("want protocolError, got %v", pe)
	}
	if code, _ := closeCode(t, c); code != websocket.StatusPolicyViolation {
		t.Fatalf("close %d, want 1008", code)
	}
}

func TestOversizeFrame(t *testing.T) {
	t.Parallel()
	h := newTestHub(t, func(c *conman.Config) { c.MaxFrameBytes = 1024 })
	c := h.dial(t, "x")
	big := &api.Command{Channel: 0, Body: &api.Command_Input{Input: strings.Repeat("x", 4096)}}
	_ = big
	if err := c.SendRaw(ctxT(t), websocket.MessageBinary, bytes.Repeat([]byte{0x0a, 0x00}, 1024)); err != nil {
		t.Fatal(err)
	}
	if code, _ := closeCode(t, c); code != websocket.StatusMessageTooBig {
		t.Fatalf("close %d, want 1009", code)
	}
	// Others are unharmed.
	if _, err := h.dial(t, "y").Ping(ctxT(t)); err != nil {
		t.Fatal(err)
	}
}

func TestCommandOnChannelNotOpen(t *testing.T) {
	t.Parallel()
	h := newTestHub(t, nil)
	c := h.dial(t, "x")
	r, err := c.ControlRequest(ctxT(t), &api.Command{}) // empty channel-0 command
	if err != nil || !strings.Contains(r.GetError(), "no body") {
		t.Fatalf("empty command: %v %v", r, err)
	}
	// A command on channel 42 (never opened) is answered on channel 0,
	// never on 42, which the client does not have.
	if err := c.SendRaw(ctxT(t), websocket.MessageBinary, mustMarshal(t, &api.Command{Channel: 42, Ref: "r1",
		Body: &api.Command_ChatMessage{ChatMessage: &api.ChatMessage{Text: "x"}}})); err != nil {
		t.Fatal(err)
	}
	e := next(t, c.Control())
	if e.GetRef() != "r1" || !strings.Contains(e.GetError(), "channel 42 is not open") {
		t.Fatalf("got %v", e)
	}
	// A body channel 0 does not handle.
	r, err = c.ControlRequest(ctxT(t), chatMsg("on zero"))
	if err != nil || !strings.Contains(r.GetError(), "channel 0 does not handle chatMessage") {
		t.Fatalf("chat on channel 0: %v %v", r, err)
	}
	// Closing a channel that is not open: NOTHING, plus an error saying why.
	r, err = c.ControlRequest(ctxT(t), &api.Command{Body: &api.Command_CloseChan{CloseChan: &api.CloseChannel{Id: 77}}})
	if err != nil || r.GetCloseChanRes().GetStatus() != api.CloseChannelRes_NOTHING || r.GetCloseChanRes().GetId() != 77 {
		t.Fatalf("close unknown: %v %v", r, err)
	}
	if e := next(t, c.Control()); !strings.Contains(e.GetError(), "channel 77 is not open") {
		t.Fatalf("close unknown error: %v", e)
	}
	// A service rejecting a body answers with an error carrying the ref.
	ch := open(t, c, "chat", "", api.OpenChannel_CREATE)
	r, err = ch.Request(ctxT(t), &api.Command{Body: &api.Command_Exec{Exec: &api.Exec{Args: []string{"ls"}}}})
	if err != nil || !strings.Contains(r.GetError(), "chat takes chatMessage and chatTyping, not exec") {
		t.Fatalf("exec on chat: %v %v", r, err)
	}
	if _, err := c.Ping(ctxT(t)); err != nil {
		t.Fatal(err)
	}
}

func TestBadTokens(t *testing.T) {
	t.Parallel()
	h := newTestHub(t, nil)
	base := "ws" + strings.TrimPrefix(h.srv.URL, "http") + "/wsv2/"
	for _, tok := range []string{"", "garbage", "user:"} {
		_, resp, err := websocket.Dial(ctxT(t), base+tok, nil)
		if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("token %q: err=%v resp=%v, want 401", tok, err, resp)
		}
	}
}

func TestMaxSessionsAndChannels(t *testing.T) {
	t.Parallel()
	h := newTestHub(t, func(c *conman.Config) { c.MaxSessions = 2; c.MaxChannelsPerSession = 2 })
	a := h.dial(t, "a")
	h.dial(t, "b")
	_, resp, err := websocket.Dial(ctxT(t), h.url("c"), nil)
	if err == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("third session: %v %v", err, resp)
	}
	open(t, a, "chat", "", api.OpenChannel_CREATE)
	open(t, a, "chat", "", api.OpenChannel_CREATE)
	if _, err := a.Open(ctxT(t), "chat", "", api.OpenChannel_CREATE); err == nil || !strings.Contains(err.Error(), "too many open channels") {
		t.Fatalf("third channel: %v", err)
	}
}

// A client that floods while never reading is cut off with 1013; another
// client keeps chatting meanwhile.
func TestSlowClientIsDisconnected(t *testing.T) {
	t.Parallel()
	h := newTestHub(t, func(c *conman.Config) { c.QueueFrames = 64; c.QueueBytes = 1 << 20 })
	talker := open(t, h.dial(t, "talker"), "chat", "chatter", api.OpenChannel_ATTACH_OR_CREATE)
	listener := open(t, h.dial(t, "listener"), "chat", "chatter", api.OpenChannel_ATTACH_OR_CREATE)

	// The sleeper attaches with a raw socket and never reads.
	raw, _, err := websocket.Dial(ctxT(t), h.url("sleeper"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.CloseNow()
	raw.SetReadLimit(-1)
	if err := raw.Write(ctxT(t), websocket.MessageBinary, mustMarshal(t, &api.Command{Ref: "o",
		Body: &api.Command_OpenChan{OpenChan: &api.OpenChannel{Service: "chat", Name: "chatter", Action: api.OpenChannel_ATTACH}}})); err != nil {
		t.Fatal(err)
	}
	// Once pid1 has decided to cut the sleeper off, it wakes up and reads,
	// as a client would: the close frame comes after what was queued. (It
	// must read soon: a close frame cannot reach a client whose TCP window
	// stays full, and pid1 gives up on the handshake after 2 s.)
	sleeper := make(chan error, 1)
	go func() {
		for deadline := time.Now().Add(20 * time.Second); !h.slowDisconnects(); time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				sleeper <- errors.New("pid1 never disconnected the sleeper")
				return
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for {
			if _, _, err := raw.Read(ctx); err != nil {
				sleeper <- err
				return
			}
		}
	}()
	// Flood with large messages so TCP buffers fill and the queue bound is
	// reached.
	payload := strings.Repeat("z", 32<<10)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 2000 {
			if err := talker.Send(context.Background(), chatMsg(payload)); err != nil {
				return
			}
		}
	}()
	got := 0
	deadline := time.After(60 * time.Second) // a guard against a hang, not a speed target
	for got < 2000 {
		select {
		case <-listener.Stream():
			got++
		case <-deadline:
			t.Fatalf("listener got only %d of 2000 messages in a minute while the sleeper stalled", got)
		}
	}
	wg.Wait()
	// The sleeper was disconnected with a reason saying why.
	if err := <-sleeper; websocket.CloseStatus(err) != websocket.StatusTryAgainLater {
		t.Fatalf("sleeper ended with %v, want close 1013", err)
	}
}

// slowDisconnects reports whether the hub has cut off a slow client, from
// its /metrics.
func (h *testHub) slowDisconnects() bool {
	resp, err := http.Get(h.metrics.URL + "/metrics")
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "pid1_slow_client_disconnects_total "); ok {
			return v != "0"
		}
	}
	return false
}
