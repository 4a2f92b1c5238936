package preview_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/pid1/pid1/internal/preview"
)

// app is a web app on 127.0.0.1: it echoes what it was sent, and echoes
// WebSocket messages at /ws.
func app(t *testing.T) int {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		for {
			typ, b, err := c.Read(r.Context())
			if err != nil {
				return
			}
			c.Write(r.Context(), typ, append([]byte("echo: "), b...))
		}
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Join([]string{r.Method, r.URL.RequestURI(), r.Header.Get("Authorization"),
			r.Header.Get("Cookie"), r.Header.Get("X-Forwarded-Prefix")}, "|"))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().(*net.TCPAddr).Port
}

func proxy(t *testing.T, port int) string {
	t.Helper()
	h := preview.Handler(preview.Config{
		Authenticate: func(tok string) (bool, error) {
			switch tok {
			case "w":
				return true, nil
			case "r":
				return false, nil
			}
			return false, errors.New("unknown token")
		},
		Open: func(p int) (netip.Addr, bool) { return netip.IPv4Unspecified(), p == port },
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL + "/proxy/" + strconv.Itoa(port)
}

// The app gets the path below the prefix, the query without the token,
// its own cookies without pid1's, no Authorization, and the prefix.
func TestWhatTheAppSees(t *testing.T) {
	port := app(t)
	base := proxy(t, port)
	req, _ := http.NewRequest(http.MethodPost, base+"/a/b?x=1&pid1_token=w", nil)
	req.Header.Set("Cookie", "theirs=1; pid1_proxy_token=r")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := "POST|/a/b?x=1||theirs=1|/proxy/" + strconv.Itoa(port); resp.StatusCode != 200 || string(b) != want {
		t.Fatalf("%d %q, want %q", resp.StatusCode, b, want)
	}
	// /proxy/PORT goes to /proxy/PORT/.
	req, _ = http.NewRequest(http.MethodGet, base, nil)
	req.Header.Set("Authorization", "Bearer w")
	resp, err = http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/proxy/"+strconv.Itoa(port)+"/" {
		t.Fatalf("%d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, bad := range []string{"/proxy/x/", "/proxy/0/", "/proxy/70000/"} {
		resp, err := http.Get(strings.Replace(base, "/proxy/"+strconv.Itoa(port), bad, 1) + "?pid1_token=w")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d", bad, resp.StatusCode)
		}
	}
}

// A WebSocket upgrade passes through, with the token; without, it is
// refused before the upgrade.
func TestWebSocketPassesThrough(t *testing.T) {
	base := "ws" + strings.TrimPrefix(proxy(t, app(t)), "http")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, resp, err := websocket.Dial(ctx, base+"/ws", nil); err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("without a token: %v", err)
	}
	c, _, err := websocket.Dial(ctx, base+"/ws?pid1_token=r", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	if err := c.Write(ctx, websocket.MessageText, []byte("hi")); err != nil {
		t.Fatal(err)
	}
	if _, b, err := c.Read(ctx); err != nil || string(b) != "echo: hi" {
		t.Fatalf("%q %v", b, err)
	}
	c.Close(websocket.StatusNormalClosure, "")
}
