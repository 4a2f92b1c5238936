package ranna_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	"github.com/pid1/pid1/engines/perclient"
	"github.com/pid1/pid1/engines/ranna"
	"github.com/pid1/pid1/sandbox"
	"github.com/pid1/pid1/test/kit/enginetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// server is ranna's API over a real engine, on 127.0.0.1.
type server struct {
	*httptest.Server
	ranna *ranna.Server
	eng   *engines.Engine
}

type options struct {
	sandbox sandbox.Config
	engine  engines.Config
	ranna   ranna.Config
}

func newServer(t *testing.T, o options) *server {
	t.Helper()
	eng := enginetest.Engine(t, o.sandbox, o.engine)
	o.ranna.Engine = eng
	rs := ranna.New(o.ranna)
	mux := http.NewServeMux()
	rs.Register(mux)
	hs := httptest.NewServer(perclient.Middleware(perclient.New(perclient.Config{}), nil, mux))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		rs.Shutdown(ctx)
		hs.Close()
	})
	return &server{Server: hs, ranna: rs, eng: eng}
}

// has reports whether the engine runs a runner; tests of a language it
// lacks are skipped with the reason.
func (s *server) need(t *testing.T, runner string) {
	t.Helper()
	for _, l := range s.eng.Languages() {
		if l.ID == runner {
			return
		}
	}
	t.Skipf("the %s runner is not available here", runner)
}

// conn is a client of /v1/ws.
type conn struct {
	t *testing.T
	c *websocket.Conn
}

func (s *server) dial(t *testing.T) *conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.URL, "http")+"/v1/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadLimit(4 << 20)
	t.Cleanup(func() { c.CloseNow() })
	return &conn{t: t, c: c}
}

// sendRaw writes one message as it is.
func (c *conn) sendRaw(typ websocket.MessageType, b string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.c.Write(ctx, typ, []byte(b)); err != nil {
		c.t.Fatal(err)
	}
}

// send writes an operation.
func (c *conn) send(op int, nonce any, args any) {
	c.t.Helper()
	m := map[string]any{"op": op}
	if nonce != nil {
		m["nonce"] = nonce
	}
	if args != nil {
		m["args"] = args
	}
	b, err := json.Marshal(m)
	if err != nil {
		c.t.Fatal(err)
	}
	c.sendRaw(websocket.MessageText, string(b))
}

// ev is an event as a client decodes it.
type ev struct {
	Code  int             `json:"code"`
	Nonce json.RawMessage `json:"nonce"`
	Data  json.RawMessage `json:"data"`
	at    time.Time
	raw   string
}

func (e ev) data() map[string]any {
	var m map[string]any
	json.Unmarshal(e.Data, &m)
	return m
}

func (e ev) str(k string) string { s, _ := e.data()[k].(string); return s }

func (e ev) num(k string) float64 { f, _ := e.data()[k].(float64); return f }

func (e ev) flag(k string) bool { b, _ := e.data()[k].(bool); return b }

func (c *conn) recv() ev {
	c.t.Helper()
	e, err := c.tryRecv(2 * time.Minute)
	if err != nil {
		c.t.Fatal(err)
	}
	return e
}

func (c *conn) tryRecv(d time.Duration) (ev, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	typ, b, err := c.c.Read(ctx)
	if err != nil {
		return ev{}, err
	}
	if typ != websocket.MessageText {
		return ev{}, fmt.Errorf("a %v message", typ)
	}
	var e ev
	if err := json.Unmarshal(b, &e); err != nil {
		return ev{}, fmt.Errorf("undecodable event %q: %w", b, err)
	}
	e.at, e.raw = time.Now(), string(b)
	return e, nil
}

// expectError reads an ERROR and checks its nonce, code and message
// (a trailing * matches any end).
func (c *conn) expectError(nonce string, code int, message string) ev {
	c.t.Helper()
	e := c.recv()
	prefix, isPrefix := strings.CutSuffix(message, "*")
	msg := e.str("message")
	if e.Code != 1 || string(e.Nonce) != nonce || int(e.num("code")) != code ||
		(isPrefix && !strings.HasPrefix(msg, prefix)) || (!isPrefix && msg != message) {
		c.t.Errorf("got %s, want ERROR nonce %s {code %d, message %q}", e.raw, nonce, code, message)
	}
	return e
}

// run is every event of one EXEC, from SPAWN to STOP.
type run struct {
	id     string
	events []ev
	stdout string
	stderr string
	stop   ev
	errors []ev
}

// collect reads events until every run in nonces has stopped, sorting
// them by nonce; it fails on an event of another nonce.
func (c *conn) collect(nonces ...string) map[string]*run {
	c.t.Helper()
	runs := map[string]*run{}
	for _, n := range nonces {
		runs[n] = &run{}
	}
	for left := len(nonces); left > 0; {
		e := c.recv()
		r, ok := runs[string(e.Nonce)]
		if !ok {
			c.t.Fatalf("an event of nonce %s, not one of %v: %s", e.Nonce, nonces, e.raw)
		}
		r.events = append(r.events, e)
		switch e.Code {
		case 2:
			if r.id != "" || len(r.events) != 1 {
				c.t.Errorf("SPAWN not first: %s", e.raw)
			}
			r.id = e.str("runid")
		case 3:
			if e.str("runid") != r.id || r.id == "" {
				c.t.Errorf("LOG of run %q after SPAWN of %q", e.str("runid"), r.id)
			}
			r.stdout += e.str("stdout")
			r.stderr += e.str("stderr")
		case 1:
			r.errors = append(r.errors, e)
		case 4:
			if e.str("runid") != r.id {
				c.t.Errorf("STOP of run %q after SPAWN of %q", e.str("runid"), r.id)
			}
			r.stop = e
			left--
		default:
			c.t.Fatalf("unexpected event %s", e.raw)
		}
	}
	return runs
}

// exec runs one EXEC and collects it.
func (c *conn) exec(nonce int, args map[string]any) *run {
	c.t.Helper()
	c.send(1, nonce, args)
	return c.collect(fmt.Sprint(nonce))[fmt.Sprint(nonce)]
}

// marker is a sleep argument unique to this test, to find in /proc.
func marker() string {
	return fmt.Sprintf("%d.%03d", 2000+os.Getpid()%1000, time.Now().Nanosecond()%1000)
}

// running reports whether any process on the machine runs `sleep arg`.
func running(arg string) bool {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		b, _ := os.ReadFile(p)
		if string(b) == "sleep\x00"+arg+"\x00" {
			return true
		}
	}
	return false
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// closed waits for the server to close the connection.
func (c *conn) closed() (websocket.StatusCode, string) {
	c.t.Helper()
	for {
		_, err := c.tryRecv(time.Minute)
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
