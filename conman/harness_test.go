package conman_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/conman"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/services/chat"
	"github.com/pid1/pid1/services/presence"
)

// testHub is a hub with chat and presence on a loopback HTTP server. Tokens
// are "user:NAME" (the auth package is tested on its own; here the hub is
// under test).
type testHub struct {
	*conman.Hub
	srv     *httptest.Server // Handler
	metrics *httptest.Server // MetricsHandler, a listener of its own as in pid1
}

func newTestHub(t testing.TB, mutate func(*conman.Config)) *testHub {
	t.Helper()
	cfg := conman.Config{
		Registry: services.NewRegistry(chat.Descriptor, presenceDescriptor()),
		Authenticate: func(tok string) (services.User, error) {
			name, ok := strings.CutPrefix(tok, "user:")
			if !ok || name == "" {
				return services.User{}, errors.New("bad test token")
			}
			return services.User{ID: uint32(len(name)), Name: name, CanWrite: true}, nil
		},
	}
	if mutate != nil {
		mutate(&cfg)
	}
	h := conman.New(cfg)
	if err := h.Open("presence", "presencer"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h.Handler())
	metrics := httptest.NewServer(h.MetricsHandler())
	th := &testHub{Hub: h, srv: srv, metrics: metrics}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := h.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		srv.Close()
		metrics.Close()
	})
	return th
}

func (h *testHub) url(user string) string {
	return "ws" + strings.TrimPrefix(h.srv.URL, "http") + "/wsv2/user:" + user
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func (h *testHub) dial(t *testing.T, user string) *client.Client {
	t.Helper()
	c, err := client.Dial(ctxT(t), h.url(user), nil)
	if err != nil {
		t.Fatalf("dial as %s: %v", user, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func open(t *testing.T, c *client.Client, service, name string, action api.OpenChannel_Action) *client.Channel {
	t.Helper()
	ch, err := c.Open(ctxT(t), service, name, action)
	if err != nil {
		t.Fatalf("open %s/%s: %v", service, name, err)
	}
	return ch
}

// next returns the next command on ch, failing after a timeout.
func next(t *testing.T, ch <-chan *api.Command) *api.Command {
	t.Helper()
	select {
	case c, ok := <-ch:
		if !ok {
			t.Fatal("stream closed while waiting for a command")
		}
		return c
	case <-time.After(5 * time.Second):
		t.Fatal("timed out waiting for a command")
	}
	return nil
}

// quiet asserts nothing arrives on ch for a short while.
func quiet(t *testing.T, ch <-chan *api.Command) {
	t.Helper()
	select {
	case c, ok := <-ch:
		if ok {
			t.Fatalf("unexpected command: %v", c)
		}
	case <-time.After(100 * time.Millisecond):
	}
}

// closeCode waits for c to end and returns the close code pid1 sent.
func closeCode(t *testing.T, c *client.Client) (websocket.StatusCode, string) {
	t.Helper()
	select {
	case <-c.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("connection did not close")
	}
	var ce websocket.CloseError
	if !errors.As(c.Err(), &ce) {
		t.Fatalf("connection ended without a close frame: %v", c.Err())
	}
	return ce.Code, ce.Reason
}

func chatMsg(text string) *api.Command {
	return &api.Command{Body: &api.Command_ChatMessage{ChatMessage: &api.ChatMessage{Text: text}}}
}

func presenceDescriptor() services.Descriptor { return presence.Descriptor }
