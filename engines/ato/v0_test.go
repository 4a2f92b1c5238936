package ato_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	vm "github.com/vmihailenco/msgpack/v5"

	"github.com/pid1/pid1/engines/perclient"
)

// v0reply is the reply's fields beside the statistics.
var v0fields = []string{"stdout", "stderr", "stdout_truncated", "stderr_truncated", "status_type", "status_value", "timed_out"}

// TestV0OneRequestOneReply: message 1, message 2 with every documented
// field (the commented-out statistics filled), close 1000.
func TestV0OneRequestOneReply(t *testing.T) {
	t.Parallel()
	c := dial(t, newServer(t, options{}).url("v0"))
	c.send(req(`read x; echo "out $x $1"; echo err >&2; exit 3`, "input", "in\n", "arguments", []any{"arg"}))
	m := c.recv()
	if string(m["stdout"].([]byte)) != "out in arg\n" || string(m["stderr"].([]byte)) != "err\n" {
		t.Errorf("stdout %q stderr %q", m["stdout"], m["stderr"])
	}
	status(t, m, "exited", 3, false)
	for _, f := range append(v0fields, statFields...) {
		if _, ok := m[f]; !ok {
			t.Errorf("the reply has no %s", f)
		}
		delete(m, f)
	}
	if len(m) != 0 {
		t.Errorf("the reply has undocumented fields: %v", m)
	}
	c.expectClose(websocket.StatusNormalClosure, "success")
}

// TestV0Minimal: a dyalog.run-style request (language, code, timeout
// only) and one with only language and code.
func TestV0Minimal(t *testing.T) {
	t.Parallel()
	s := newServer(t, options{})
	for _, m := range []map[string]any{
		{"language": lang, "code": "echo hi", "timeout": 5},
		{"language": lang, "code": []byte("echo hi")},
	} {
		c := dial(t, s.url("v0"))
		c.send(m)
		if r := c.recv(); string(r["stdout"].([]byte)) != "hi\n" {
			t.Errorf("%v: %v", m, r)
		}
		c.expectClose(websocket.StatusNormalClosure, "success")
	}
}

// TestV0Caps: stdout stops at 128 KiB, stderr at 32 KiB.
func TestV0Caps(t *testing.T) {
	t.Parallel()
	s := newServer(t, options{})
	for _, tc := range []struct {
		redirect, field string
		size            int
	}{{"", "stdout", 128 << 10}, {">&2", "stderr", 32 << 10}} {
		c := dial(t, s.url("v0"))
		c.send(req("head -c 1000000 /dev/zero " + tc.redirect))
		m := c.recv()
		if !bytes.Equal(m[tc.field].([]byte), make([]byte, tc.size)) || m[tc.field+"_truncated"] != true {
			t.Errorf("%s: %d bytes, truncated %v", tc.field, len(m[tc.field].([]byte)), m[tc.field+"_truncated"])
		}
	}
	c := dial(t, s.url("v0"))
	c.send(req("head -c 32768 /dev/zero >&2"))
	if m := c.recv(); len(m["stderr"].([]byte)) != 32<<10 || m["stderr_truncated"] != false {
		t.Errorf("exactly 32 KiB of stderr: %d bytes, truncated %v", len(m["stderr"].([]byte)), m["stderr_truncated"])
	}
}

func TestV0TimeoutAndSignals(t *testing.T) {
	t.Parallel()
	s := newServer(t, options{})
	c := dial(t, s.url("v0"))
	c.send(req("sleep 5", "timeout", 1))
	status(t, c.recv(), "killed", 9, true)
	c = dial(t, s.url("v0"))
	c.send(req("kill -TERM $$"))
	status(t, c.recv(), "killed", 15, false)
}

func TestV0Errors(t *testing.T) {
	t.Parallel()
	s := newServer(t, options{})
	cases := []struct {
		name   string
		send   func(c *conn)
		code   websocket.StatusCode
		reason string
	}{
		{"text", func(c *conn) { c.sendRaw(websocket.MessageText, []byte("hi")) }, 1003, "unexpected message type"},
		{"not msgpack", func(c *conn) { c.send([]byte("not a valid msgpack message!")) }, 1008, "bad request:*"},
		{"wrong type", func(c *conn) { c.send(req("", "timeout", "60")) }, 1008, "bad request: field `timeout`: invalid type: string, expected an integer"},
		{"extra data", func(c *conn) { c.send(append(pack(t, req("")), 0)) }, 1008, "bad request: found extra data"},
		{"NUL argument", func(c *conn) { c.send(req("", "arguments", []any{"a\x00"})) }, 1008, "argument contains null byte"},
		{"NUL option", func(c *conn) { c.send(req("", "options", []any{"\x00"})) }, 1008, "argument contains null byte"},
		{"unknown language", func(c *conn) { c.send(req("", "language", "cobol_x")) }, 1008, "no such language"},
		{"timeout 0", func(c *conn) { c.send(req("", "timeout", 0)) }, 1008, "timeout not in range (0, 60]"},
		{"timeout 61", func(c *conn) { c.send(req("", "timeout", 61)) }, 1008, "timeout not in range (0, 60]"},
		{"65536 bytes", func(c *conn) { c.send(make([]byte, 65536)) }, 1008, "bad request:*"},
		{"65537 bytes", func(c *conn) { c.send(make([]byte, 65537)) }, 1009, "request too large"},
		{"a second message", func(c *conn) { c.send(req("sleep 10")); c.send(req("")) }, 1008, "*"},
	}
	for _, tc := range cases {
		c := dial(t, s.url("v0"))
		tc.send(c)
		got, why := c.closed()
		prefix, isPrefix := strings.CutSuffix(tc.reason, "*")
		if got != tc.code || (isPrefix && !strings.HasPrefix(why, prefix)) || (!isPrefix && why != tc.reason) {
			t.Errorf("%s: closed with %d %q, want %d %q", tc.name, got, why, tc.code, tc.reason)
		}
	}
}

func TestV0ClientGoneKills(t *testing.T) {
	t.Parallel()
	c := dial(t, newServer(t, options{}).url("v0"))
	arg := sleepMarker()
	c.send(req("exec sleep " + arg))
	waitFor(t, "the sleep", func() bool { return running("sleep", arg) })
	c.c.CloseNow()
	waitFor(t, "the run to be killed", func() bool { return !running("sleep", arg) })
}

func get(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func TestMetadataAndLanguages(t *testing.T) {
	t.Parallel()
	s := newServer(t, options{})
	resp, b := get(t, s.URL+"/api/v0/metadata")
	var meta map[string]map[string]any
	if err := vm.Unmarshal(b, &meta); err != nil || resp.StatusCode != 200 {
		t.Fatalf("metadata: %d %v", resp.StatusCode, err)
	}
	py := meta["python"]
	if py["name"] != "Python" || py["image"] == "" || !strings.HasPrefix(py["version"].(string), "3.") || py["sbcs"] != false ||
		py["url"] != "https://www.python.org" || py["se_class"] != "python" || py["SE_class"] != "python" {
		t.Errorf("metadata of python: %v", py)
	}
	if _, ok := meta["asymptote"]["se_class"]; ok {
		t.Errorf("a language without a class has one: %v", meta["asymptote"])
	}
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" || resp.Header.Get("Content-Type") != "application/msgpack" {
		t.Errorf("metadata headers %v", resp.Header)
	}

	resp, b = get(t, s.URL+"/languages.json")
	var langs map[string]map[string]any
	if err := json.Unmarshal(b, &langs); err != nil || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("languages.json: %v %s", err, resp.Header.Get("Content-Type"))
	}
	if len(langs) != len(meta) {
		t.Errorf("%d languages in languages.json, %d in the metadata", len(langs), len(meta))
	}
	c := langs["c_gcc"]
	hw, _ := c["hello_world"].(map[string]any)
	if c["name"] != "C (GCC)" || c["se_class"] != "c" || c["sbcs"] != false || hw["output"] != "Hello, World!\n" || hw["code"] == "" {
		t.Errorf("languages.json c_gcc: %v", c)
	}
}

// TestHelloWorlds runs every language's hello_world from languages.json
// on both versions.
func TestHelloWorlds(t *testing.T) {
	t.Parallel()
	s := newServer(t, options{})
	_, b := get(t, s.URL+"/languages.json")
	var langs map[string]struct {
		HelloWorld *struct{ Code, Output string } `json:"hello_world"`
	}
	if err := json.Unmarshal(b, &langs); err != nil {
		t.Fatal(err)
	}
	for id, l := range langs {
		if l.HelloWorld == nil {
			continue
		}
		c := dial(t, s.url("v1"))
		c.send(map[string]any{"language": id, "code": l.HelloWorld.Code})
		if r := c.untilDone(); string(r.stdout) != l.HelloWorld.Output {
			t.Errorf("v1 %s: %q, stderr %q", id, r.stdout, r.stderr)
		}
		c = dial(t, s.url("v0"))
		c.send(map[string]any{"language": id, "code": l.HelloWorld.Code})
		if m := c.recv(); string(m["stdout"].([]byte)) != l.HelloWorld.Output {
			t.Errorf("v0 %s: %q", id, m["stdout"])
		}
	}
}

// TestPerClientLimits: connections beyond a client's limit get 429 and
// say why; runs beyond its limit close with 1013 and say why.
func TestPerClientLimits(t *testing.T) {
	t.Parallel()
	s := newServer(t, options{
		engine: engineWithClients(perclient.Config{Concurrent: 1}),
		conns:  perclient.Config{Concurrent: 2, What: "connections"},
	})
	first := dial(t, s.url("v1"))
	first.send(req("echo up; sleep 30"))
	first.recv()
	second := dial(t, s.url("v1"))
	third, resp, err := websocket.Dial(context.Background(), s.url("v0"), nil)
	if err == nil {
		third.CloseNow()
		t.Fatal("a third connection was accepted")
	}
	if resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("a third connection: %v", err)
	} else if b, _ := io.ReadAll(resp.Body); string(b) != "too many connections at once from your address (limit 2)\n" {
		t.Errorf("refusal %q", b)
	}
	second.send(req(""))
	second.expectClose(websocket.StatusTryAgainLater, "too many runs at once from your address (limit 1)")
	first.send("Kill")
	first.untilDone()
	first.send(req("echo again"))
	if r := first.untilDone(); string(r.stdout) != "again\n" {
		t.Errorf("after the first run: %q", r.stdout)
	}
}

// TestShutdown: connections are closed with 1001 and their runs killed.
func TestShutdown(t *testing.T) {
	t.Parallel()
	s := newServer(t, options{})
	arg := sleepMarker()
	c := dial(t, s.url("v1"))
	c.send(req("echo up; exec sleep " + arg))
	c.recv()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.ato.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	c.expectClose(websocket.StatusGoingAway, "server shutting down")
	waitFor(t, "the run to be killed", func() bool { return !running("sleep", arg) })
	resp, _ := get(t, s.URL+"/api/v0/ws/execute")
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("after shutdown: %d", resp.StatusCode)
	}
}
