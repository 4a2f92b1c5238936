// Package servicetest serves services on a loopback hub for tests, so that
// each service's tests drive it over a real WebSocket with the real client.
package servicetest

import (
	"context"
	"hash/fnv"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/conman"
	"github.com/pid1/pid1/conman/services"
)

// Serve starts a hub with ds on 127.0.0.1 and returns the URL a user
// connects with. Tokens are user names; "ro:NAME" is a read-only user.
// Each name has its own user id (see UserID).
// The hub is shut down when the test ends.
func Serve(t testing.TB, ds ...services.Descriptor) (url func(user string) string) {
	t.Helper()
	_, url = ServeHub(t, ds...)
	return url
}

// ServeHub is Serve that also returns the hub, for tests that open
// in-process sessions on it (Hub.Connect, Hub.Dial).
func ServeHub(t testing.TB, ds ...services.Descriptor) (*conman.Hub, func(user string) string) {
	t.Helper()
	h := conman.New(conman.Config{
		Registry: services.NewRegistry(ds...),
		Authenticate: func(tok string) (services.User, error) {
			name, ro := strings.CutPrefix(tok, "ro:")
			return services.User{ID: UserID(name), Name: name, CanWrite: !ro}, nil
		},
	})
	srv := httptest.NewServer(h.Handler())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		h.Shutdown(ctx)
		srv.Close()
	})
	base := "ws" + strings.TrimPrefix(srv.URL, "http") + "/wsv2/"
	return h, func(user string) string { return base + user }
}

// Dial connects to url; the client is closed when the test ends.
func Dial(t testing.TB, url string) *client.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Open dials url and opens a channel of service (named name, or anonymous
// when name is "").
func Open(t testing.TB, url, service, name string) *client.Channel {
	t.Helper()
	return OpenOn(t, Dial(t, url), service, name)
}

// OpenOn opens a channel on an existing client.
func OpenOn(t testing.TB, c *client.Client, service, name string) *client.Channel {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	action := api.OpenChannel_CREATE
	if name != "" {
		action = api.OpenChannel_ATTACH_OR_CREATE
	}
	ch, err := c.Open(ctx, service, name, action)
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// Next returns the next command on ch's stream, failing the test if none
// arrives within 10 s.
func Next(t testing.TB, ch *client.Channel) *api.Command {
	t.Helper()
	select {
	case c, ok := <-ch.Stream():
		if !ok {
			t.Fatal("stream ended")
		}
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("nothing arrived within 10s")
	}
	return nil
}

// Quiet fails the test if anything arrives on ch within d.
func Quiet(t testing.TB, ch *client.Channel, d time.Duration) {
	t.Helper()
	select {
	case c := <-ch.Stream():
		t.Fatalf("unexpected %v", c)
	case <-time.After(d):
	}
}

// Request sends cmd and returns the reply carrying its ref. The reply also
// stays on the stream; Request drains the stream up to it.
func Request(t testing.TB, ch *client.Channel, cmd *api.Command) *api.Command {
	t.Helper()
	_, r := Exchange(t, ch, cmd)
	return r
}

// Exchange is Request that also returns what the stream carried before
// the reply.
func Exchange(t testing.TB, ch *client.Channel, cmd *api.Command) (before []*api.Command, reply *api.Command) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := ch.Request(ctx, cmd)
	if err != nil {
		t.Fatalf("%v: %v", cmd, err)
	}
	for {
		c := Next(t, ch)
		if c.GetRef() == r.GetRef() {
			return before, r
		}
		before = append(before, c)
	}
}

// UserID is the user id Serve gives the user name.
func UserID(name string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(name))
	return 1 + h.Sum32()%1_000_000
}

// Metrics is the text of h's /metrics.
func Metrics(t testing.TB, h *conman.Hub) string {
	t.Helper()
	rec := httptest.NewRecorder()
	h.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Body.String()
}
