package ato_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// The conformance suite of API v1, modelled on the cases of ATO's own
// test/test.py, against a real engine with the built-in languages; the
// programs are zsh, as there.

func TestV1BasicExecution(t *testing.T) {
	t.Parallel()
	s := newServer(t, options{})
	c := dial(t, s.url("v1"))
	c.send(req(""))
	m := c.recv()
	done, ok := m["Done"].(map[string]any)
	if !ok || len(m) != 1 {
		t.Fatalf("the reply to an empty program is %v, want only Done", m)
	}
	checkBasicDone(t, done)
}

// checkBasicDone holds a trivial run's Done to test.py's bounds.
func checkBasicDone(t *testing.T, done map[string]any) {
	t.Helper()
	const sec = int64(time.Second)
	bounds := map[string][2]int64{
		"real": {1, sec}, "kernel": {0, sec}, "user": {0, sec}, "max_mem": {100, 100_000},
		"waits": {0, 1000}, "preemptions": {0, 1000}, "major_page_faults": {0, 1000},
		"minor_page_faults": {0, 10000}, "input_ops": {0, 100000}, "output_ops": {0, 100},
	}
	for _, f := range statFields {
		v := num(t, done, f)
		if b := bounds[f]; v < b[0] || v > b[1] {
			t.Errorf("%s = %d, want it in [%d, %d]", f, v, b[0], b[1])
		}
		delete(done, f)
	}
	status(t, done, "exited", 0, false)
	if done["stdout_truncated"] != false || done["stderr_truncated"] != false {
		t.Errorf("truncated flags %v %v", done["stdout_truncated"], done["stderr_truncated"])
	}
	if len(done) != 5 {
		t.Errorf("Done has fields beyond the documented ones: %v", done)
	}
}

// TestV1ConnectionReuse: runs one after another on one connection, each
// with its own statistics (they do not add up, as they do in ATO).
func TestV1ConnectionReuse(t *testing.T) {
	t.Parallel()
	c := dial(t, newServer(t, options{}).url("v1"))
	c.send(req(`i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done`))
	busy := c.untilDone().done
	c.send(req(""))
	checkBasicDone(t, c.untilDone().done)
	c.send(req(""))
	idle := c.untilDone().done
	if num(t, busy, "user") <= num(t, idle, "user") || num(t, idle, "user") > int64(50*time.Millisecond) {
		t.Errorf("user time: a busy loop %d ns, then an empty program %d ns", num(t, busy, "user"), num(t, idle, "user"))
	}
}

func TestV1StreamsAndArguments(t *testing.T) {
	t.Parallel()
	c := dial(t, newServer(t, options{}).url("v1"))
	cases := []struct {
		code           string
		kv             []any
		stdout, stderr string
	}{
		{"echo hello", nil, "hello\n", ""},
		{"echo hello >&2", nil, "", "hello\n"},
		{"rev", []any{"input", "hello"}, "olleh", ""},
		{`echo "$@"`, []any{"arguments", []any{"foo", []byte("bar")}}, "foo bar\n", ""},
		{`echo $-`, []any{"options", []any{"-F"}}, "F", ""},
	}
	for _, tc := range cases {
		c.send(req(tc.code, tc.kv...))
		r := c.untilDone()
		if tc.code == `echo $-` {
			if !bytes.Contains(r.stdout, []byte("F")) {
				t.Errorf("options: $- is %q", r.stdout)
			}
			continue
		}
		if string(r.stdout) != tc.stdout || string(r.stderr) != tc.stderr {
			t.Errorf("%s: stdout %q stderr %q", tc.code, r.stdout, r.stderr)
		}
		if n := len(r.kinds); n != 2 {
			t.Errorf("%s: messages %v, want one output message and Done", tc.code, r.kinds)
		}
	}
}

func TestV1ExitAndTimeout(t *testing.T) {
	t.Parallel()
	c := dial(t, newServer(t, options{}).url("v1"))
	c.send(req("exit 7"))
	status(t, c.untilDone().done, "exited", 7, false)
	c.send(req("sleep 3", "timeout", 1))
	status(t, c.untilDone().done, "killed", 9, true)
	c.send(req("kill -SEGV $$"))
	status(t, c.untilDone().done, "killed", 11, false) // no core: RLIMIT_CORE is 0
}

func TestV1InvalidRequestValues(t *testing.T) {
	t.Parallel()
	s := newServer(t, options{})
	cases := []struct {
		kv     []any
		reason string
	}{
		{[]any{"timeout", 61}, "invalid request: timeout not in range 1-60: 61"},
		{[]any{"timeout", 0}, "invalid request: timeout not in range 1-60: 0"},
		{[]any{"timeout", -4}, "invalid request: timeout not in range 1-60: -4"},
		{[]any{"language", "doesntexist"}, "invalid request: no such language: doesntexist"},
		{[]any{"language", strings.ToUpper(lang)}, "invalid request: no such language: " + strings.ToUpper(lang)},
		{[]any{"arguments", []any{"null\x00byte"}}, "invalid request: argument contains null byte"},
		{[]any{"options", []any{"null\x00byte"}}, "invalid request: argument contains null byte"},
	}
	for _, tc := range cases {
		c := dial(t, s.url("v1"))
		c.send(req("sleep 1", tc.kv...))
		c.expectClose(websocket.StatusPolicyViolation, tc.reason)
	}
}

func TestV1InvalidRequests(t *testing.T) {
	t.Parallel()
	s := newServer(t, options{})
	payload := pack(t, req("echo hello"))
	cases := []struct {
		name   string
		send   func(c *conn)
		code   websocket.StatusCode
		reason string
	}{
		{"timeout a string", func(c *conn) { c.send(req("sleep 1", "timeout", "60")) }, 1008, "invalid request:*"},
		{"timeout a float", func(c *conn) { c.send(req("sleep 1", "timeout", 60.0)) }, 1008, "invalid request:*"},
		{"timeout nil", func(c *conn) { c.send(req("sleep 1", "timeout", nil)) }, 1008, "invalid request:*"},
		{"timeout an array", func(c *conn) { c.send(req("sleep 1", "timeout", []any{60})) }, 1008, "invalid request:*"},
		{"not msgpack", func(c *conn) { c.send([]byte("not a valid msgpack message!")) }, 1008, "invalid request:*"},
		{"incomplete", func(c *conn) { c.send(payload[:20]) }, 1008, "invalid request:*"},
		{"split", func(c *conn) { c.send(payload[:20]); c.sendRaw(websocket.MessageBinary, payload[20:]) }, 1008, "invalid request:*"},
		{"text", func(c *conn) { c.sendRaw(websocket.MessageText, []byte("not a binary message!")) }, 1003, "expected a binary message"},
		{"extra junk", func(c *conn) { c.send(append(pack(t, req("")), "extra junk"...)) }, 1008, "invalid request: found extra data"},
		{"64 KiB", func(c *conn) { c.send(make([]byte, 64<<10)) }, 1008, "invalid request:*"},
		{"64 KiB + 1", func(c *conn) { c.send(make([]byte, 64<<10+1)) }, 1009, "received message of size 65537, greater than size limit 65536"},
		{"no language", func(c *conn) { c.send(req("", "language", drop)) }, 1008, "invalid request: missing field `language`"},
		{"custom runner", func(c *conn) { c.send(req("", "custom_runner", "echo hi")) }, 1008, "invalid request: custom_runner is not supported by this server"},
		{"a request during a run", func(c *conn) { c.send(req("echo up; sleep 10")); c.recv(); c.send(req("")) }, 1008, `invalid request: only "Kill" may be sent while a run is going`},
	}
	for _, tc := range cases {
		c := dial(t, s.url("v1"))
		tc.send(c)
		got, why := c.closed()
		prefix, isPrefix := strings.CutSuffix(tc.reason, "*")
		if got != tc.code || (isPrefix && !strings.HasPrefix(why, prefix)) || (!isPrefix && why != tc.reason) {
			t.Errorf("%s: closed with %d %q, want %d %q", tc.name, got, why, tc.code, tc.reason)
		}
	}
}

// TestV1ValidRequestTypes: strings, binaries and arrays of byte values
// are all bytes; every field but language and code may be left out.
func TestV1ValidRequestTypes(t *testing.T) {
	t.Parallel()
	c := dial(t, newServer(t, options{}).url("v1"))
	for _, input := range []any{"unicode", []byte("bytes"), []any{98, 121, 116, 101, 115}} {
		c.send(req("cat", "input", input))
		r := c.untilDone()
		want := "bytes"
		if s, ok := input.(string); ok {
			want = s
		}
		if string(r.stdout) != want {
			t.Errorf("input %v: %q", input, r.stdout)
		}
	}
	c.send(req("echo no timeout", "timeout", drop))
	if r := c.untilDone(); string(r.stdout) != "no timeout\n" {
		t.Errorf("without a timeout: %q", r.stdout)
	}
	c.send(map[string]any{"language": lang, "code": "echo minimal"})
	if r := c.untilDone(); string(r.stdout) != "minimal\n" {
		t.Errorf("language and code only: %q", r.stdout)
	}
}

// TestV1Streaming: output arrives as it is written, about a second apart
// for a program that prints every second (the bounds are generous).
func TestV1Streaming(t *testing.T) {
	t.Parallel()
	c := dial(t, newServer(t, options{}).url("v1"))
	c.send(req("repeat 3 sleep 1 && echo hi"))
	var then time.Time
	for i := range 3 {
		m := c.recv()
		now := time.Now()
		if string(m["Stdout"].([]byte)) != "hi\n" {
			t.Fatalf("message %d: %v", i, m)
		}
		if gap := now.Sub(then); i > 0 && (gap < 500*time.Millisecond || gap > 2500*time.Millisecond) {
			t.Errorf("message %d came %v after the one before, want about 1 s", i, gap)
		}
		then = now
	}
	if _, ok := c.recv()["Done"]; !ok {
		t.Error("no Done after the output")
	}
}

func TestV1Kill(t *testing.T) {
	t.Parallel()
	c := dial(t, newServer(t, options{}).url("v1"))
	arg := sleepMarker()
	c.send(req("echo up; exec sleep " + arg))
	c.recv()
	waitFor(t, "the sleep", func() bool { return running("sleep", arg) })
	c.send("Kill")
	r := c.untilDone()
	status(t, r.done, "killed", 9, false)
	if running("sleep", arg) {
		t.Error("the sleep outlived Kill")
	}
	// A Kill that crosses its run's Done is no error; the connection
	// takes the next request.
	c.send("Kill")
	c.send(req("echo after"))
	if r := c.untilDone(); string(r.stdout) != "after\n" {
		t.Errorf("after a late Kill: %q", r.stdout)
	}
}

func TestV1CloseStdio(t *testing.T) {
	t.Parallel()
	c := dial(t, newServer(t, options{}).url("v1"))
	for _, close := range []string{"0<&-", ">&-", "2>&-"} {
		c.send(req("exec " + close + "; sleep 1"))
		r := c.untilDone()
		// A program that closes its standard streams has not ended.
		if r.done["status_type"] != "exited" || num(t, r.done, "real") < int64(900*time.Millisecond) {
			t.Errorf("exec %s: Done %v", close, r.done)
		}
	}
}

// TestV1ClientCloseKills: a client that goes away kills its run.
func TestV1ClientCloseKills(t *testing.T) {
	t.Parallel()
	s := newServer(t, options{})
	arg := sleepMarker()
	c := dial(t, s.url("v1"))
	c.send(req("echo up; exec sleep " + arg))
	c.recv()
	waitFor(t, "the sleep", func() bool { return running("sleep", arg) })
	c.c.Close(websocket.StatusNormalClosure, "")
	waitFor(t, "the run to be killed", func() bool { return !running("sleep", arg) })

	// yes, gone at once.
	c = dial(t, s.url("v1"))
	c.send(req("exec yes " + arg))
	c.c.CloseNow()
	waitFor(t, "yes to be killed", func() bool { return !running("yes", arg) })
}

func TestV1LargeOutput(t *testing.T) {
	t.Parallel()
	c := dial(t, newServer(t, options{}).url("v1"))
	c.send(req("head -c 49152 /dev/zero"))
	r := c.untilDone()
	if !bytes.Equal(r.stdout, make([]byte, 49152)) || len(r.chunks) < 3 {
		t.Errorf("%d bytes in chunks %v", len(r.stdout), r.chunks)
	}
	for _, n := range r.chunks {
		if n > 16<<10 {
			t.Errorf("a chunk of %d bytes", n)
		}
	}
}

// TestV1Truncated: each stream stops at 128 KiB, in chunks of at most
// 16 KiB, and the program is stopped there.
func TestV1Truncated(t *testing.T) {
	t.Parallel()
	c := dial(t, newServer(t, options{}).url("v1"))
	for _, name := range []string{"stdout", "stderr"} {
		redirect := map[string]string{"stdout": "", "stderr": ">&2"}[name]
		c.send(req("head -c 16000000 /dev/zero " + redirect))
		r := c.untilDone()
		out := r.stdout
		if name == "stderr" {
			out = r.stderr
		}
		if !bytes.Equal(out, make([]byte, 128<<10)) || r.done[name+"_truncated"] != true {
			t.Errorf("%s: %d bytes, Done %v", name, len(out), r.done)
		}
	}
	arg := sleepMarker()
	c.send(req("exec yes " + arg))
	r := c.untilDone()
	if len(r.stdout) != 128<<10 || r.done["stdout_truncated"] != true {
		t.Errorf("yes: %d bytes, Done %v", len(r.stdout), r.done)
	}
	if running("yes", arg) {
		t.Error("yes outlived its Done")
	}
}

func TestV1YesKill(t *testing.T) {
	t.Parallel()
	c := dial(t, newServer(t, options{}).url("v1"))
	arg := sleepMarker()
	c.send(req(`while :; do echo y; sleep 0.01; done & exec sleep ` + arg))
	for range 3 {
		if _, ok := c.recv()["Stdout"]; !ok {
			t.Fatal("no output")
		}
	}
	c.send("Kill")
	r := c.untilDone()
	status(t, r.done, "killed", 9, false)
	waitFor(t, "the run to be gone", func() bool { return !running("sleep", arg) })
}

func TestV1Parallel(t *testing.T) {
	t.Parallel()
	s := newServer(t, options{})
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Go(func() {
			c := dial(t, s.url("v1"))
			c.send(req(`sleep 1; echo "$1"`, "arguments", []any{string(rune('a' + i))}))
			if r := c.untilDone(); string(r.stdout) != string(rune('a'+i))+"\n" {
				t.Errorf("client %d: %q", i, r.stdout)
			}
		})
	}
	wg.Wait()
}

func TestV1LoopbackAndTmp(t *testing.T) {
	t.Parallel()
	c := dial(t, newServer(t, options{}).url("v1"))
	c.send(req("cat /sys/class/net/lo/operstate; touch /tmp/foo; ls /tmp"))
	if r := c.untilDone(); !strings.HasSuffix(string(r.stdout), "foo\n") {
		t.Errorf("stdout %q", r.stdout)
	}
}
