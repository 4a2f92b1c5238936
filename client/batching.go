package client

import (
	"context"
	"net"
	"net/http"
	neturl "net/url"

	"github.com/pid1/pid1/internal/wsbatch"
)

// batchingClient makes the HTTP client for one upgrade to url. When the
// connection will carry WebSocket frames in the clear (ws://, directly or
// through a plain HTTP proxy), its transport wraps the connection in a
// wsbatch.Conn, returned through the second result once dialled, so that
// a large message is written in a few calls instead of 4 KiB at a time.
// Otherwise (wss://, a TLS proxy) it is the default client. proxy is the
// transport's choice of proxy (http.ProxyFromEnvironment).
func batchingClient(url string, proxy func(*http.Request) (*neturl.URL, error)) (*http.Client, *wsbatch.Conn) {
	u, err := neturl.Parse(url)
	if err != nil || (u.Scheme != "ws" && u.Scheme != "http") {
		return http.DefaultClient, nil
	}
	if p, err := proxy(&http.Request{URL: &neturl.URL{Scheme: "http", Host: u.Host}}); err != nil || (p != nil && p.Scheme != "http") {
		return http.DefaultClient, nil
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = proxy
	// The upgraded connection leaves the pool; a refused upgrade must not
	// leave one behind in it.
	t.DisableKeepAlives = true
	conn := &wsbatch.Conn{}
	dial := t.DialContext
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		conn.Conn = c
		return conn, nil
	}
	return &http.Client{Transport: t}, conn
}
