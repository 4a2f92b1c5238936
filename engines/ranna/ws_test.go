package ranna_test

import (
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/pid1/pid1/engines"
	"github.com/pid1/pid1/engines/perclient"
	"github.com/pid1/pid1/engines/ranna"
)

// The seed's example, unchanged: SPAWN, five LOGs of "👋\n" on stderr
// about a second apart, STOP with the time; every event carries the
// nonce 123.
func TestSeedExample(t *testing.T) {
	t.Parallel()
	s := newServer(t, options{})
	s.need(t, "go")
	c := s.dial(t)
	c.sendRaw(websocket.MessageText, `{
  "op": 1,
  "nonce": 123,
  "args": {
    "language": "go",
    "inline_expression": true,
    "code": "import \"time\"\nfor i := 0; i < 5; i++ { time.Sleep(1 * time.Second); println(\"👋\") }"
  }
}`)
	r := c.collect("123")["123"]
	if len(r.errors) > 0 {
		t.Fatalf("errors: %s", r.errors[0].raw)
	}
	var logs []ev
	for _, e := range r.events {
		if e.Code == 3 {
			logs = append(logs, e)
		}
	}
	if r.events[0].Code != 2 || len(r.id) != 64 || len(logs) != 5 || len(r.events) != 7 {
		t.Fatalf("events: %v", r.events)
	}
	for i, e := range logs {
		if e.str("stderr") != "👋\n" || e.data()["stdout"] != nil {
			t.Errorf("LOG %d: %s", i, e.raw)
		}
		// About a second apart (the issue asks for this check; the
		// bounds are wide for a loaded machine).
		if i > 0 {
			if gap := e.at.Sub(logs[i-1].at); gap < 400*time.Millisecond || gap > 3*time.Second {
				t.Errorf("LOG %d came %v after the one before, want about 1 s", i, gap)
			}
		}
	}
	stop := r.stop
	if ms := stop.num("exectimems"); ms < 5000 || ms > 120000 {
		t.Errorf("exectimems %v", ms)
	}
	if stop.num("exitcode") != 0 || stop.flag("timedout") || stop.flag("killed") || stop.flag("truncated") {
		t.Errorf("STOP %s", stop.raw)
	}
}

func TestPingAndBadOperations(t *testing.T) {
	t.Parallel()
	s := newServer(t, options{})
	c := s.dial(t)
	c.send(0, 7, nil)
	if e := c.recv(); e.Code != 0 || string(e.Nonce) != "7" || string(e.Data) != `"Pong!"` {
		t.Errorf("PONG: %s", e.raw)
	}
	c.send(0, nil, nil)
	if e := c.recv(); e.Code != 0 || e.Nonce != nil || !strings.HasPrefix(e.raw, `{"code":0,"data":"Pong!"}`) {
		t.Errorf("PONG without a nonce: %s", e.raw)
	}
	c.send(0, "a-string", nil)
	if e := c.recv(); string(e.Nonce) != `"a-string"` {
		t.Errorf("a string nonce comes back as %s", e.Nonce)
	}
	c.sendRaw(websocket.MessageBinary, `{"op":0}`)
	c.expectError("", 400, "invalid message type")
	c.sendRaw(websocket.MessageText, `{"op":`)
	c.expectError("", 400, "invalid operation: *")
	c.sendRaw(websocket.MessageText, `{"op":0} {"op":0}`)
	c.expectError("", 400, "invalid operation: data after the JSON value")
	c.sendRaw(websocket.MessageText, `{"nonce":3}`)
	c.expectError("3", 400, "invalid operation: op is missing")
	c.sendRaw(websocket.MessageText, `{"op":"1","nonce":4}`)
	c.expectError("4", 400, `invalid operation: field "op": string where an integer was expected`)
	c.sendRaw(websocket.MessageText, `{"op":0,"nonce":{"a":1}}`)
	c.expectError("", 400, "invalid operation: the nonce must be a number or a string")
	c.send(9, 5, nil)
	c.expectError("5", 400, "invalid operation code")
	c.send(1, 6, map[string]any{"language": "python3", "code": ""})
	c.expectError("6", 400, "code is empty")
	c.send(1, 7, map[string]any{"language": "cobol", "code": "x"})
	c.expectError("7", 400, "unsupported language spec")
	c.send(1, 8, map[string]any{"language": "python3", "code": "x", "inline_expression": true})
	c.expectError("8", 400, "this spec has no support for inline expressions")
	c.send(1, 9, map[string]any{"language": "python3", "code": "x", "arguments": "not a list"})
	c.expectError("9", 400, `invalid execution request: field "arguments": string where an array of strings was expected`)
	c.send(1, 10, map[string]any{"language": "python3", "code": "x", "environment": map[string]string{"A=B": "c"}})
	c.expectError("10", 400, `environment variable "A=B": *`)
	c.send(1, 11, map[string]any{"language": "python3", "code": "x", "arguments": []string{"a\x00"}})
	c.expectError("11", 400, "argument contains null byte")
	c.send(1, 12, nil)
	c.expectError("12", 400, "code is empty")
	c.send(2, 13, map[string]any{"runid": "0123"})
	c.expectError("13", 400, "sandbox is not running")
	c.send(2, 14, nil)
	c.expectError("14", 400, "KILL needs the runid of the run to kill")
	// After all that, the connection still works.
	c.send(0, 15, nil)
	if e := c.recv(); e.Code != 0 || string(e.Nonce) != "15" {
		t.Errorf("PONG: %s", e.raw)
	}
}

// Several runs go at once on one socket, each event with its own nonce;
// STOP carries the exit code, input, arguments and environment reach the
// program.
func TestRunsAtOnceWithTheirNonces(t *testing.T) {
	t.Parallel()
	s := newServer(t, options{})
	c := s.dial(t)
	c.send(1, 1, map[string]any{"language": "bash", "code": `sleep 1; echo "one $1 $GREETING $(cat)"; exit 3`,
		"arguments": []string{"arg"}, "environment": map[string]string{"GREETING": "hi"}, "stdin": "typed"})
	c.send(1, 2, map[string]any{"language": "py", "code": "import sys; print('two'); print('err', file=sys.stderr)"})
	runs := c.collect("1", "2")
	one, two := runs["1"], runs["2"]
	if one.stdout != "one arg hi typed\n" || one.stop.num("exitcode") != 3 || one.stop.flag("killed") {
		t.Errorf("run 1: %q, %s", one.stdout, one.stop.raw)
	}
	if two.stdout != "two\n" || two.stderr != "err\n" || two.stop.num("exitcode") != 0 || two.id == one.id {
		t.Errorf("run 2: %q %q, %s", two.stdout, two.stderr, two.stop.raw)
	}
	for _, r := range runs {
		if len(r.errors) > 0 || r.stop.data()["signal"] != nil {
			t.Errorf("run %s: errors %v, STOP %s", r.id, r.errors, r.stop.raw)
		}
	}
}

// Each socket is its own session: it sees only its own events, and may
// not kill another's run.
func TestSocketsAreSeparate(t *testing.T) {
	t.Parallel()
	s := newServer(t, options{})
	a, b := s.dial(t), s.dial(t)
	a.send(1, 1, map[string]any{"language": "bash", "code": "echo a-up; sleep 2; echo a-done"})
	spawn := a.recv()
	if spawn.Code != 2 {
		t.Fatalf("want SPAWN: %s", spawn.raw)
	}
	b.send(2, 1, map[string]any{"runid": spawn.str("runid")})
	b.expectError("1", 400, "sandbox is not running")
	b.send(1, 1, map[string]any{"language": "bash", "code": "echo b"})
	rb := b.collect("1")["1"]
	if rb.stdout != "b\n" || rb.id == spawn.str("runid") {
		t.Errorf("b's run: %q %s", rb.stdout, rb.id)
	}
	// a's run ran to its end, unkilled, and a saw nothing of b's.
	var out string
	for {
		e := a.recv()
		if string(e.Nonce) != "1" || e.str("runid") != spawn.str("runid") {
			t.Fatalf("a got another's event: %s", e.raw)
		}
		out += e.str("stdout")
		if e.Code == 4 {
			if e.flag("killed") || out != "a-up\na-done\n" {
				t.Errorf("a's run: %q %s", out, e.raw)
			}
			break
		}
	}
}

// KILL kills a run of one's own: STOP says killed, with the signal.
func TestKill(t *testing.T) {
	t.Parallel()
	s := newServer(t, options{})
	c := s.dial(t)
	arg := marker()
	c.send(1, 1, map[string]any{"language": "bash", "code": "echo up; exec sleep " + arg})
	spawn := c.recv()
	if e := c.recv(); e.str("stdout") != "up\n" {
		t.Fatalf("want up: %s", e.raw)
	}
	waitFor(t, "the sleep", func() bool { return running(arg) })
	c.send(2, 2, map[string]any{"runid": spawn.str("runid")})
	stop := c.recv()
	if stop.Code != 4 || string(stop.Nonce) != "1" || !stop.flag("killed") || stop.num("signal") != 9 || stop.num("exitcode") != -1 || stop.flag("timedout") {
		t.Errorf("STOP after KILL: %s", stop.raw)
	}
	if running(arg) {
		t.Error("the sleep survived its KILL")
	}
}

// A socket closed mid-run leaves no process.
func TestDisconnectKills(t *testing.T) {
	t.Parallel()
	s := newServer(t, options{})
	c := s.dial(t)
	arg := marker()
	c.send(1, 1, map[string]any{"language": "bash", "code": "exec sleep " + arg})
	waitFor(t, "the sleep", func() bool { return running(arg) })
	c.c.Close(websocket.StatusNormalClosure, "bye")
	waitFor(t, "the sleep to be killed", func() bool { return !running(arg) })
}

// Limits: a run past its time gets an ERROR and a STOP that says so; output
// past its cap is cut there (what came before it is kept) with an ERROR,
// and the run stops.
func TestTimeoutAndTruncation(t *testing.T) {
	t.Parallel()
	s := newServer(t, options{ranna: ranna.Config{Limits: ranna.Limits{Timeout: time.Second, OutputCap: 1000}}})
	c := s.dial(t)
	r := c.exec(1, map[string]any{"language": "bash", "code": "echo before; exec sleep 30"})
	if r.stdout != "before\n" || !r.stop.flag("timedout") || r.stop.flag("killed") || r.stop.num("signal") != 9 || len(r.errors) != 1 ||
		r.errors[0].str("message") != "code execution timed out after 1s" || r.errors[0].str("runid") != r.id {
		t.Errorf("timeout: %q, STOP %s, errors %v", r.stdout, r.stop.raw, r.errors)
	}
	// The cap on a server whose time limit a loaded machine's start-up
	// cannot use up before yes writes.
	s = newServer(t, options{ranna: ranna.Config{Limits: ranna.Limits{Timeout: time.Minute, OutputCap: 1000}}})
	c = s.dial(t)
	r = c.exec(2, map[string]any{"language": "bash", "code": "yes"})
	if len(r.stdout) != 1000 || !r.stop.flag("truncated") || len(r.errors) != 1 ||
		r.errors[0].str("message") != "output truncated: stdout passed its cap of 1000 bytes, and the run was stopped" {
		t.Errorf("yes: %d bytes, STOP %s, errors %v", len(r.stdout), r.stop.raw, r.errors)
	}
	if last := r.events[len(r.events)-2]; last.Code != 1 {
		t.Errorf("the ERROR does not come right before STOP: %s", last.raw)
	}
}

// Inline expressions of C and C++ have their includes moved out of main.
func TestInlineCAndCpp(t *testing.T) {
	t.Parallel()
	s := newServer(t, options{})
	c := s.dial(t)
	for i, tc := range []struct{ runner, lang, code string }{
		{"c_gcc", "c", "#include <stdio.h>\nint x = 6;\n#include <string.h>\nprintf(\"%d %zu\\n\", x * 7, strlen(\"abc\"));"},
		{"cpp_gcc", "c++", "#include <iostream>\nstd::cout << 6 * 7 << \" \" << 3 << std::endl;"},
	} {
		if !s.has(tc.runner) {
			t.Logf("%s not available", tc.runner)
			continue
		}
		r := c.exec(i, map[string]any{"language": tc.lang, "code": tc.code, "inline_expression": true})
		if r.stdout != "42 3\n" || r.stop.num("exitcode") != 0 {
			t.Errorf("%s: %q %q %s", tc.lang, r.stdout, r.stderr, r.stop.raw)
		}
	}
}

func (s *server) has(runner string) bool {
	for _, l := range s.eng.Languages() {
		if l.ID == runner {
			return true
		}
	}
	return false
}

// The per-client limits of the engine answer with 429 and the reason;
// so does a connection with too many runs.
func TestLimits(t *testing.T) {
	t.Parallel()
	s := newServer(t, options{engine: engines.Config{PerClient: perclient.Config{Concurrent: 1}},
		ranna: ranna.Config{MaxRunsPerConn: 1}})
	a, b := s.dial(t), s.dial(t)
	a.send(1, 1, map[string]any{"language": "bash", "code": "sleep 30"})
	spawn := a.recv()
	a.send(1, 2, map[string]any{"language": "bash", "code": "true"})
	a.expectError("2", 429, "too many runs on this connection at once (limit 1); wait for a STOP")
	b.send(1, 3, map[string]any{"language": "bash", "code": "true"})
	b.expectError("3", 429, "too many runs at once from your address (limit 1)")
	a.send(2, 4, map[string]any{"runid": spawn.str("runid")})
	if e := a.recv(); e.Code != 4 || !e.flag("killed") {
		t.Errorf("want STOP: %s", e.raw)
	}
	r := b.exec(5, map[string]any{"language": "bash", "code": "echo again"})
	if r.stdout != "again\n" {
		t.Errorf("after the first ended: %q %v", r.stdout, r.errors)
	}
}

// A connection with nothing going is closed after Idle.
func TestIdle(t *testing.T) {
	t.Parallel()
	s := newServer(t, options{ranna: ranna.Config{Idle: 300 * time.Millisecond}})
	c := s.dial(t)
	r := c.exec(1, map[string]any{"language": "bash", "code": "sleep 1; echo late"})
	if r.stdout != "late\n" {
		t.Errorf("a run longer than Idle: %q", r.stdout)
	}
	code, reason := c.closed()
	if code != websocket.StatusNormalClosure || reason != "idle: no operation in 300ms" {
		t.Errorf("closed with %d %q", code, reason)
	}
}

// Output split inside a character still arrives as whole characters.
func TestUTF8AcrossChunks(t *testing.T) {
	t.Parallel()
	s := newServer(t, options{})
	c := s.dial(t)
	// 👋 is four bytes: write them one at a time, a pause between.
	r := c.exec(1, map[string]any{"language": "bash",
		"code": `for b in '\xf0' '\x9f' '\x91' '\x8b'; do printf "$b"; sleep 0.2; done; printf '\xff'`})
	if r.stdout != "👋\uFFFD" {
		t.Errorf("stdout %q", r.stdout)
	}
	for _, e := range r.events {
		if strings.ContainsRune(e.str("stdout"), '\uFFFD') && e.str("stdout") != "\uFFFD" {
			t.Errorf("a character was split: %s", e.raw)
		}
	}
}
