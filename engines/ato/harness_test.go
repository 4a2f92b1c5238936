package ato_test

import (
	"bytes"
	"context"
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
	vm "github.com/vmihailenco/msgpack/v5"
	"go.uber.org/goleak"

	"github.com/pid1/pid1/engines"
	"github.com/pid1/pid1/engines/ato"
	"github.com/pid1/pid1/engines/perclient"
	"github.com/pid1/pid1/sandbox"
	"github.com/pid1/pid1/test/kit/enginetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// server is ATO's API over a real engine, on 127.0.0.1.
type server struct {
	*httptest.Server
	ato *ato.Server
}

type options struct {
	sandbox sandbox.Config
	engine  engines.Config
	conns   perclient.Config
	ato     ato.Config
}

func newServer(t *testing.T, o options) *server {
	t.Helper()
	o.ato.Engine = enginetest.Engine(t, o.sandbox, o.engine)
	a := ato.New(o.ato)
	mux := http.NewServeMux()
	a.Register(mux)
	hs := httptest.NewServer(perclient.Middleware(perclient.New(o.conns), nil, mux))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		a.Shutdown(ctx)
		hs.Close()
	})
	return &server{Server: hs, ato: a}
}

func engineWithClients(pc perclient.Config) engines.Config {
	return engines.Config{PerClient: pc}
}

func (s *server) url(version string) string {
	return "ws" + strings.TrimPrefix(s.URL, "http") + "/api/" + version + "/ws/execute"
}

// conn is a client connection; msgpack is encoded and decoded with an
// independent implementation.
type conn struct {
	t *testing.T
	c *websocket.Conn
}

func dial(t *testing.T, url string) *conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadLimit(1 << 20)
	t.Cleanup(func() { c.CloseNow() })
	return &conn{t: t, c: c}
}

func pack(t testing.TB, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	e := vm.NewEncoder(&buf)
	e.SetSortMapKeys(true)
	if err := e.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// lang is the language of the suite's programs, as in ATO's test.py.
const lang = "zsh"

// req is a request in the shape test.py sends: every field given.
func req(code string, kv ...any) map[string]any {
	m := map[string]any{
		"language": lang, "code": []byte(code), "input": []byte{},
		"arguments": []any{}, "options": []any{}, "timeout": 60,
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == drop {
			delete(m, kv[i].(string))
		} else {
			m[kv[i].(string)] = kv[i+1]
		}
	}
	return m
}

// drop removes a field from req.
var drop = new(int)

func (c *conn) send(v any) {
	c.t.Helper()
	b, ok := v.([]byte)
	if !ok {
		b = pack(c.t, v)
	}
	c.sendRaw(websocket.MessageBinary, b)
}

func (c *conn) sendRaw(typ websocket.MessageType, b []byte) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.c.Write(ctx, typ, b); err != nil {
		c.t.Fatal(err)
	}
}

// recv reads one message as a map.
func (c *conn) recv() map[string]any {
	c.t.Helper()
	m, err := c.tryRecv()
	if err != nil {
		c.t.Fatal(err)
	}
	return m
}

func (c *conn) tryRecv() (map[string]any, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	typ, b, err := c.c.Read(ctx)
	if err != nil {
		return nil, err
	}
	if typ != websocket.MessageBinary {
		return nil, fmt.Errorf("a %v message", typ)
	}
	var m map[string]any
	if err := vm.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("undecodable message % x: %w", b, err)
	}
	return m, nil
}

// closed waits for the server to close the connection and returns the
// close code and reason.
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

func (c *conn) expectClose(code websocket.StatusCode, reason string) {
	c.t.Helper()
	got, why := c.closed()
	prefix, isPrefix := strings.CutSuffix(reason, "*")
	if got != code || (isPrefix && !strings.HasPrefix(why, prefix)) || (!isPrefix && why != reason) {
		c.t.Errorf("closed with %d %q, want %d %q", got, why, code, reason)
	}
}

// run is what v1 sends for one request.
type run struct {
	stdout, stderr []byte
	chunks         []int
	kinds          []string
	done           map[string]any
}

// untilDone reads v1 messages up to and including Done.
func (c *conn) untilDone() run {
	c.t.Helper()
	var r run
	for {
		m := c.recv()
		if len(m) != 1 {
			c.t.Fatalf("a message with %d keys: %v", len(m), m)
		}
		for k, v := range m {
			r.kinds = append(r.kinds, k)
			switch k {
			case "Stdout":
				r.stdout = append(r.stdout, v.([]byte)...)
				r.chunks = append(r.chunks, len(v.([]byte)))
			case "Stderr":
				r.stderr = append(r.stderr, v.([]byte)...)
			case "Done":
				r.done = v.(map[string]any)
				return r
			default:
				c.t.Fatalf("unexpected message %v", m)
			}
		}
	}
}

// num reads an integer field whatever width it came in.
func num(t *testing.T, m map[string]any, key string) int64 {
	t.Helper()
	switch v := m[key].(type) {
	case int8:
		return int64(v)
	case int16:
		return int64(v)
	case int32:
		return int64(v)
	case int64:
		return v
	case uint8:
		return int64(v)
	case uint16:
		return int64(v)
	case uint32:
		return int64(v)
	case uint64:
		return int64(v)
	}
	t.Fatalf("field %s is %T %v, not an integer", key, m[key], m[key])
	return 0
}

// statFields are the statistics Done and the v0 reply carry.
var statFields = []string{"real", "kernel", "user", "max_mem", "waits", "preemptions",
	"major_page_faults", "minor_page_faults", "input_ops", "output_ops"}

// status checks the status fields of a Done or v0 reply.
func status(t *testing.T, m map[string]any, typ string, value int64, timedOut bool) {
	t.Helper()
	if m["status_type"] != typ || num(t, m, "status_value") != value || m["timed_out"] != timedOut {
		t.Errorf("status %v %v timed_out %v, want %s %d %v", m["status_type"], m["status_value"], m["timed_out"], typ, value, timedOut)
	}
}

// sleepMarker is an argument for sleep unique to this test, so that the
// test can find its process.
func sleepMarker() string {
	return fmt.Sprintf("%d.%09d", 100+os.Getpid()%900, time.Now().UnixNano()%1e9)
}

// running reports whether any process on the machine has argv.
func running(argv ...string) bool {
	want := strings.Join(argv, "\x00") + "\x00"
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		if b, _ := os.ReadFile(p); string(b) == want {
			return true
		}
	}
	return false
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
