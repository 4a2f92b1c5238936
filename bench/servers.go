package bench

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/coder/websocket"
	"google.golang.org/protobuf/proto"

	"github.com/pid1/pid1/api"

	"github.com/pid1/pid1/pid1/server"
)

// Hub is a pid1 server (the real assembly: auth, services, hub) on a
// loopback port.
type Hub struct {
	srv  *server.Server
	http *http.Server
	base string
	tmp  string
}

// StartHub starts a pid1 server on 127.0.0.1 with temporary directories.
func StartHub() (*Hub, error) { return startHub(server.Options{}) }

// startHub is StartHub with options; the directories are filled in.
func startHub(o server.Options) (*Hub, error) {
	tmp, err := os.MkdirTemp("", "pid1-bench-")
	if err != nil {
		return nil, err
	}
	o.Workspace, o.StateDir = filepath.Join(tmp, "ws"), filepath.Join(tmp, "state")
	srv, err := server.New(o)
	if err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	h := &Hub{srv: srv, http: &http.Server{Handler: srv.Handler()}, base: "ws://" + ln.Addr().String() + "/wsv2/", tmp: tmp}
	go h.http.Serve(ln)
	return h, nil
}

// URL mints a token for user and returns the connection URL.
func (h *Hub) URL(user string) (string, error) {
	tok, err := h.srv.Token(user, true, time.Hour)
	return h.base + tok, err
}

// Close shuts the server down and removes its directories.
func (h *Hub) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	h.srv.Shutdown(ctx)
	h.http.Shutdown(ctx)
	os.RemoveAll(h.tmp)
}

// Raw is a plain coder/websocket server, the baseline. Every connection to
// /echo gets containerState READY and then each binary frame back; a connection to /send has each frame
// written to every connection on /recv, one raw write per receiver; /idle
// connections are only read from.
type Raw struct {
	http *http.Server
	base string

	mu        sync.Mutex
	receivers []*websocket.Conn
}

// StartRaw starts the baseline server on 127.0.0.1.
func StartRaw() (*Raw, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &Raw{base: "ws://" + ln.Addr().String()}
	mux := http.NewServeMux()
	mux.HandleFunc("/echo", r.echo)
	mux.HandleFunc("/send", r.send)
	mux.HandleFunc("/recv", r.recv)
	mux.HandleFunc("/idle", r.idle)
	r.http = &http.Server{Handler: mux}
	go r.http.Serve(ln)
	return r, nil
}

// URL is the address of one of the endpoints: "echo", "send", "recv", "idle".
func (r *Raw) URL(endpoint string) string { return r.base + "/" + endpoint }

// Close stops the server.
func (r *Raw) Close() { r.http.Close() }

func accept(w http.ResponseWriter, req *http.Request) *websocket.Conn {
	c, err := websocket.Accept(w, req, nil)
	if err != nil {
		return nil
	}
	c.SetReadLimit(16 << 20)
	return c
}

// ready is channel 0's containerState READY, which the raw echo server
// sends first so that the pid1 client (which waits for it) can connect.
var ready, _ = proto.Marshal(&api.Command{Body: &api.Command_ContainerState{ContainerState: &api.ContainerState{State: api.ContainerState_READY}}})

func (r *Raw) echo(w http.ResponseWriter, req *http.Request) {
	c := accept(w, req)
	if c == nil {
		return
	}
	defer c.CloseNow()
	ctx := req.Context()
	if err := c.Write(ctx, websocket.MessageBinary, ready); err != nil {
		return
	}
	for {
		typ, b, err := c.Read(ctx)
		if err != nil {
			return
		}
		if err := c.Write(ctx, typ, b); err != nil {
			return
		}
	}
}

func (r *Raw) send(w http.ResponseWriter, req *http.Request) {
	c := accept(w, req)
	if c == nil {
		return
	}
	defer c.CloseNow()
	ctx := req.Context()
	for {
		typ, b, err := c.Read(ctx)
		if err != nil {
			return
		}
		r.mu.Lock()
		rs := r.receivers
		r.mu.Unlock()
		for _, rc := range rs {
			if err := rc.Write(ctx, typ, b); err != nil {
				return
			}
		}
	}
}

func (r *Raw) recv(w http.ResponseWriter, req *http.Request) {
	c := accept(w, req)
	if c == nil {
		return
	}
	r.mu.Lock()
	r.receivers = append(r.receivers, c)
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		for i, x := range r.receivers {
			if x == c {
				r.receivers = append(r.receivers[:i], r.receivers[i+1:]...)
				break
			}
		}
		r.mu.Unlock()
		c.CloseNow()
	}()
	discard(req.Context(), c)
}

func (r *Raw) idle(w http.ResponseWriter, req *http.Request) {
	c := accept(w, req)
	if c == nil {
		return
	}
	defer c.CloseNow()
	discard(req.Context(), c)
}

// discard reads and drops frames until the connection ends.
func discard(ctx context.Context, c *websocket.Conn) {
	for {
		if _, _, err := c.Read(ctx); err != nil {
			return
		}
	}
}

// Receivers is how many /recv connections are registered.
func (r *Raw) Receivers() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.receivers)
}

func waitFor(what string, cond func() bool) error {
	for deadline := time.Now().Add(30 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return nil
}

// Workspace is the hub's workspace directory.
func (h *Hub) Workspace() string { return h.srv.Workspace() }
