package asy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/goleak"

	"github.com/pid1/pid1/engines"
	"github.com/pid1/pid1/engines/asy"
	"github.com/pid1/pid1/engines/perclient"
	"github.com/pid1/pid1/sandbox"
	"github.com/pid1/pid1/test/kit/enginetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// server is asyonline's endpoints over a real engine, on 127.0.0.1.
type server struct {
	*httptest.Server
	asy *asy.Asy
}

type options struct {
	sandbox sandbox.Config
	asy     asy.Config
	server  asy.ServerConfig
}

func newServer(t *testing.T, o options) *server {
	t.Helper()
	eng := enginetest.Engine(t, o.sandbox, engines.Config{})
	if !available(eng, "asymptote") {
		t.Skip("asymptote is not installed here (scripts/test-deps.sh installs it)")
	}
	o.asy.Engine = eng
	a := asy.New(o.asy)
	o.server.Asy = a
	srv := asy.NewServer(o.server)
	mux := http.NewServeMux()
	srv.Register(mux)
	hs := httptest.NewServer(perclient.Middleware(perclient.New(perclient.Config{}), nil, mux))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		hs.Close()
	})
	return &server{Server: hs, asy: a}
}

func available(e *engines.Engine, id string) bool {
	for _, l := range e.Languages() {
		if l.ID == id {
			return true
		}
	}
	return false
}

// conn is a client.
type conn struct {
	t *testing.T
	c *websocket.Conn
}

func (s *server) dial(t *testing.T, path string, protocols ...string) *conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.URL, "http")+path, &websocket.DialOptions{Subprotocols: protocols})
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadLimit(8 << 20)
	t.Cleanup(func() { c.CloseNow() })
	return &conn{t: t, c: c}
}

func (c *conn) write(typ websocket.MessageType, b []byte) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.c.Write(ctx, typ, b); err != nil {
		c.t.Fatal(err)
	}
}

// send writes "verb json", then blob as a binary frame unless it is nil.
func (c *conn) send(verb string, body any, blob []byte) {
	c.t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		c.t.Fatal(err)
	}
	c.write(websocket.MessageText, append([]byte(verb+" "), b...))
	if blob != nil {
		c.write(websocket.MessageBinary, blob)
	}
}

// msg is one message from the server, with the binary frame that
// followed it (output and result).
type msg struct {
	verb string
	body json.RawMessage
	blob []byte
	at   time.Time
}

func (m msg) field(k string) any {
	var v map[string]any
	json.Unmarshal(m.body, &v)
	return v[k]
}

func (m msg) String() string { return fmt.Sprintf("%s %s (+%d bytes)", m.verb, m.body, len(m.blob)) }

func (c *conn) recv() msg {
	c.t.Helper()
	m, err := c.tryRecv()
	if err != nil {
		c.t.Fatal(err)
	}
	return m
}

func (c *conn) tryRecv() (msg, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	typ, b, err := c.c.Read(ctx)
	if err != nil {
		return msg{}, err
	}
	if typ != websocket.MessageText {
		return msg{}, fmt.Errorf("a binary frame where a message was expected (%d bytes)", len(b))
	}
	verb, body, _ := strings.Cut(string(b), " ")
	m := msg{verb: verb, body: json.RawMessage(body), at: time.Now()}
	if !json.Valid(m.body) {
		return msg{}, fmt.Errorf("message %q: its body is not JSON", b)
	}
	if verb == "output" || verb == "result" {
		typ, blob, err := c.c.Read(ctx)
		if err != nil {
			return msg{}, err
		}
		if typ != websocket.MessageBinary {
			return msg{}, fmt.Errorf("%s was followed by a text frame %q", verb, blob)
		}
		m.blob = blob
	}
	return m, nil
}

// closed waits for the close frame.
func (c *conn) closed() (websocket.StatusCode, string) {
	c.t.Helper()
	for {
		_, err := c.tryRecv()
		if err == nil {
			continue
		}
		var ce websocket.CloseError
		if !errors.As(err, &ce) {
			c.t.Fatalf("the connection ended without a close frame: %v", err)
		}
		return ce.Code, ce.Reason
	}
}

// outcome is everything stage 2 sent, up to complete or deny.
type outcome struct {
	msgs     []msg
	statuses []msg
	started  bool
	stdout   string
	stderr   string
	format   string
	image    []byte
	complete *msg
	deny     string
}

func (o outcome) errorText() string {
	if o.complete == nil {
		return ""
	}
	s, _ := o.complete.field("error").(string)
	return s
}

// finish reads until complete or deny, then the close.
func (c *conn) finish() outcome {
	c.t.Helper()
	var o outcome
	for {
		m := c.recv()
		o.msgs = append(o.msgs, m)
		switch m.verb {
		case "status":
			o.statuses = append(o.statuses, m)
		case "output":
			if len(m.blob) == 0 && !o.started && o.stdout == "" {
				o.started = true
				continue
			}
			if m.field("stream") == "stderr" {
				o.stderr += string(m.blob)
			} else {
				o.stdout += string(m.blob)
			}
		case "result":
			o.format, _ = m.field("format").(string)
			o.image = m.blob
		case "complete":
			o.complete = &m
		case "deny":
			o.deny, _ = m.field("error").(string)
		default:
			c.t.Fatalf("unexpected message %v", m)
		}
		if m.verb == "complete" || m.verb == "deny" {
			if code, reason := c.closed(); code != websocket.StatusNormalClosure {
				c.t.Errorf("closed with %d %q after %s", code, reason, m.verb)
			}
			return o
		}
	}
}

// task sends one file and starts it.
func (c *conn) task(name, code string, opts map[string]any) outcome {
	c.t.Helper()
	c.send("input", map[string]any{"filename": name}, []byte(code))
	if opts != nil {
		c.send("options", opts, nil)
	}
	c.send("start", map[string]any{"main": name}, nil)
	return c.finish()
}

// expectDeny reads a deny with the given error (a trailing * matches
// any end) and the close.
func (c *conn) expectDeny(want string) {
	c.t.Helper()
	o := c.finish()
	prefix, isPrefix := strings.CutSuffix(want, "*")
	if (isPrefix && !strings.HasPrefix(o.deny, prefix)) || (!isPrefix && o.deny != want) {
		c.t.Errorf("got %v, want deny %q", o.msgs, want)
	}
}

var circle = "size(2cm);\ndraw(unitcircle);\n"

func hasMagic(format string, b []byte) bool {
	switch format {
	case "svg":
		return bytes.HasPrefix(b, []byte("<?xml")) && bytes.Contains(b, []byte("<svg"))
	case "pdf":
		return bytes.HasPrefix(b, []byte("%PDF-"))
	case "png":
		return bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n"))
	}
	return false
}

// filepathBase is a cgroup parent of the test's own (removed at its end).
func filepathBase(t *testing.T) string {
	name := fmt.Sprintf("pid1-asytest-%d-%d", os.Getpid(), time.Now().UnixNano())
	t.Cleanup(func() {
		dirs, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", name))
		for _, d := range append(dirs, filepath.Join("/sys/fs/cgroup", name)) {
			os.Remove(d)
		}
	})
	return name
}

// processesIn lists the processes in a cgroup under parent.
func processesIn(parent string) []string {
	var pids []string
	files, _ := filepath.Glob("/proc/[0-9]*/cgroup")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if strings.Contains(string(b), "/"+parent+"/") {
			pids = append(pids, filepath.Base(filepath.Dir(f)))
		}
	}
	return pids
}

// occupiedCgroups lists the run cgroups under parent (and their children)
// that hold a process.
func occupiedCgroups(parent string) []string {
	var busy []string
	for _, dir := range runCgroups(parent) {
		_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.Name() == "cgroup.procs" {
				if b, _ := os.ReadFile(p); len(strings.TrimSpace(string(b))) > 0 {
					busy = append(busy, filepath.Dir(p))
				}
			}
			return nil
		})
	}
	return busy
}

// runCgroups lists the run cgroups under parent, in every hierarchy.
func runCgroups(parent string) []string {
	a, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", parent, "run-*"))
	b, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", parent, "run-*"))
	return append(a, b...)
}
