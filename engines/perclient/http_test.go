package perclient

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestKey(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.7":            "ip:192.0.2.7",
		"::ffff:192.0.2.7":     "ip:192.0.2.7",
		"2001:db8:1:2:3:4:5:6": "ip:2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1": "ip:2001:db8:1:2::/64",
		"2001:db8:1:3::1":      "ip:2001:db8:1:3::/64",
		"fe80::1%eth0":         "ip:fe80::/64",
	} {
		if got := Key(netip.MustParseAddr(in)); got != want {
			t.Errorf("Key(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestClientAddr(t *testing.T) {
	trusted, err := ParsePrefixes("10.0.0.0/8, 127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ remote, xff, want string }{
		{"192.0.2.1:5000", "198.51.100.9", "192.0.2.1"},                       // untrusted peer: its header is ignored
		{"127.0.0.1:5000", "", "127.0.0.1"},                                   // trusted, nothing forwarded
		{"127.0.0.1:5000", "198.51.100.9", "198.51.100.9"},                    // one proxy
		{"127.0.0.1:5000", "6.6.6.6, 198.51.100.9, 10.1.2.3", "198.51.100.9"}, // a spoofed first hop is not taken
		{"127.0.0.1:5000", "junk, 10.1.2.3", "10.1.2.3"},                      // an unreadable hop: stop at the last proxy
		{"[::1]:5000", "198.51.100.9", "::1"},                                 // ::1 is not trusted here
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.remote
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		got, ok := ClientAddr(r, trusted)
		if !ok || got.String() != c.want {
			t.Errorf("%s with %q: %v %v, want %s", c.remote, c.xff, got, ok, c.want)
		}
	}
	if _, err := ParsePrefixes("10.0.0.0/33"); err == nil {
		t.Error("a bad prefix was accepted")
	}
}

// TestMiddleware serves over loopback: the second connection from the
// same address while the first is held gets 429 with the reason; the key
// reaches the handler.
func TestMiddleware(t *testing.T) {
	hold := make(chan struct{})
	entered := make(chan string, 1)
	srv := httptest.NewServer(Middleware(New(Config{Concurrent: 1, What: "connections"}), nil,
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			entered <- FromContext(r.Context())
			<-hold
			io.WriteString(w, "ok")
		})))
	defer srv.Close()
	first := make(chan error, 1)
	go func() {
		resp, err := http.Get(srv.URL)
		if err == nil {
			resp.Body.Close()
		}
		first <- err
	}()
	if key := <-entered; key != "ip:127.0.0.1" {
		t.Errorf("handler saw key %q", key)
	}
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || string(body) != "too many connections at once from your address (limit 1)\n" {
		t.Errorf("second connection: %d %q", resp.StatusCode, body)
	}
	close(hold)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	resp, err = http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	<-entered
	if resp.StatusCode != http.StatusOK {
		t.Errorf("after the first ended: %d", resp.StatusCode)
	}
}

func TestRefuseRetryAfter(t *testing.T) {
	w := httptest.NewRecorder()
	Refuse(w, &Refusal{Reason: "slow down", RetryAfter: 1500e6})
	if w.Code != 429 || w.Header().Get("Retry-After") != "2" {
		t.Errorf("%d %q", w.Code, w.Header().Get("Retry-After"))
	}
}
