package server

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/pid1/pid1/client"
)

// internalUser is the user pid1's own connections to its hub run as
// (shellrun2 attaching to the shared run2 and interp2 channels).
const internalUser = "pid1"

// pipeListener hands out the server ends of in-memory connections, so
// that pid1 can be a client of its own hub without a network socket.
type pipeListener struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), closed: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

// dial makes a connection whose other end Accept returns.
func (l *pipeListener) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	client, server := net.Pipe()
	select {
	case l.conns <- server:
		return client, nil
	case <-l.closed:
	case <-ctx.Done():
	}
	client.Close()
	server.Close()
	return nil, errors.New("pid1's internal listener is closed")
}

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pid1-internal" }

// internal serves the hub on an in-memory listener, started on first use.
type internal struct {
	mu     sync.Mutex
	srv    *http.Server
	http   *http.Client
	closed bool
}

// connect opens a connection of pid1's own to its hub, as internalUser.
func (s *Server) connect(ctx context.Context) (*client.Client, error) {
	in := &s.internal
	in.mu.Lock()
	if in.closed {
		in.mu.Unlock()
		return nil, errors.New("pid1 is shutting down")
	}
	if in.srv == nil {
		ln := newPipeListener()
		in.srv = &http.Server{Handler: s.hub.Handler(), ReadHeaderTimeout: 10 * time.Second}
		go in.srv.Serve(ln)
		in.http = &http.Client{Transport: &http.Transport{DialContext: ln.dial}}
	}
	hc := in.http
	in.mu.Unlock()
	return client.Dial(ctx, "ws://pid1-internal/wsv2/"+s.tokens.internal, &client.Options{HTTPClient: hc})
}

// closeInternal stops serving the in-memory listener.
func (s *Server) closeInternal() {
	in := &s.internal
	in.mu.Lock()
	defer in.mu.Unlock()
	in.closed = true
	if in.srv != nil {
		in.srv.Close()
	}
}
