package client

import (
	"net/http"
	"net/url"
	"testing"
)

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestBatchingOnlyWhereFramesAreInTheClear checks which URLs get the
// batching transport: only where the connection carries frames as they
// are, not TLS records.
func TestBatchingOnlyWhereFramesAreInTheClear(t *testing.T) {
	for _, c := range []struct {
		url, proxy string
		batched    bool
	}{
		{"ws://127.0.0.1:1/wsv2/x", "", true},
		{"http://127.0.0.1:1/wsv2/x", "", true},
		{"ws://example.test/wsv2/x", "http://proxy.test:3128", true},
		{"ws://example.test/wsv2/x", "https://proxy.test:3128", false},
		{"wss://example.test/wsv2/x", "", false},
		{"https://example.test/wsv2/x", "", false},
		{"::not a url", "", false},
	} {
		proxy := func(*http.Request) (*url.URL, error) { return nil, nil }
		if c.proxy != "" {
			proxy = http.ProxyURL(must(url.Parse(c.proxy)))
		}
		hc, conn := batchingClient(c.url, proxy)
		if got := conn != nil; got != c.batched {
			t.Errorf("%s through %q: batched %v, want %v", c.url, c.proxy, got, c.batched)
		}
		if !c.batched && hc != http.DefaultClient {
			t.Errorf("%s: not batched, yet not the default client", c.url)
		}
	}
}
