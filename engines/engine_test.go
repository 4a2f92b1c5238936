package engines_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pid1/pid1/engines"
	"github.com/pid1/pid1/engines/perclient"
	"github.com/pid1/pid1/sandbox"
	"github.com/pid1/pid1/test/kit/enginetest"
)

// lang is the language the core's tests write their programs in.
const lang = "bash"

// collected is a whole run: its events in order and the output.
type collected struct {
	kinds          []engines.Kind
	stdout, stderr []byte
	chunks         []int
	done           engines.Event
}

func collect(t *testing.T, run *engines.Run) collected {
	t.Helper()
	var c collected
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		ev, err := run.Next(ctx)
		if err == io.EOF {
			return c
		}
		if err != nil {
			t.Fatal(err)
		}
		c.kinds = append(c.kinds, ev.Kind)
		switch ev.Kind {
		case engines.Stdout:
			c.stdout = append(c.stdout, ev.Data...)
			c.chunks = append(c.chunks, len(ev.Data))
		case engines.Stderr:
			c.stderr = append(c.stderr, ev.Data...)
		case engines.Done:
			c.done = ev
		}
	}
}

func (c collected) result(t *testing.T) *engines.Result {
	t.Helper()
	if c.done.Err != nil {
		t.Fatalf("the run did not happen: %v", c.done.Err)
	}
	if c.done.Result == nil {
		t.Fatalf("no Done event; events %v", c.kinds)
	}
	return c.done.Result
}

func start(t *testing.T, e *engines.Engine, req engines.Request) collected {
	t.Helper()
	if req.Language == "" {
		req.Language = lang
	}
	run, err := e.Start(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return collect(t, run)
}

func TestRunOutputStatusAndStats(t *testing.T) {
	t.Parallel()
	e := enginetest.Engine(t, sandbox.Config{}, engines.Config{})
	c := start(t, e, engines.Request{
		Code:      []byte(`echo out; echo err >&2; read x; echo "in=$x args=$*" ; exit 7`),
		Input:     []byte("typed\n"),
		Arguments: []string{"a b", "c"},
	})
	r := c.result(t)
	if c.kinds[0] != engines.Started || c.kinds[len(c.kinds)-1] != engines.Done {
		t.Errorf("events %v: want Started first and Done last", c.kinds)
	}
	if string(c.stdout) != "out\nin=typed args=a b c\n" || string(c.stderr) != "err\n" {
		t.Errorf("stdout %q stderr %q", c.stdout, c.stderr)
	}
	if r.Status != engines.Exited || r.Value != 7 || r.TimedOut || r.Killed || r.StdoutTruncated || r.StderrTruncated {
		t.Errorf("result %+v", r)
	}
	if r.Real <= 0 || r.User+r.Kernel <= 0 || r.MaxMemKiB <= 0 || r.MinorPageFaults <= 0 {
		t.Errorf("statistics missing: %+v", r)
	}
}

func TestOptionsReachTheInterpreter(t *testing.T) {
	t.Parallel()
	e := enginetest.Engine(t, sandbox.Config{}, engines.Config{})
	c := start(t, e, engines.Request{Code: []byte(`echo $-`), Options: []string{"-f"}})
	if !bytes.Contains(c.stdout, []byte("f")) {
		t.Errorf("sh -f: $- is %q", c.stdout)
	}
}

func TestExtraFiles(t *testing.T) {
	t.Parallel()
	e := enginetest.Engine(t, sandbox.Config{}, engines.Config{})
	c := start(t, e, engines.Request{Code: []byte(`cat data.txt`), Files: []engines.File{{Name: "data.txt", Data: []byte("beside")}}})
	if string(c.stdout) != "beside" {
		t.Errorf("stdout %q", c.stdout)
	}
}

func TestTimeout(t *testing.T) {
	t.Parallel()
	e := enginetest.Engine(t, sandbox.Config{}, engines.Config{})
	c := start(t, e, engines.Request{Code: []byte(`echo before; exec sleep 30`), Timeout: time.Second})
	r := c.result(t)
	if !r.TimedOut || r.Killed || r.Status != engines.Killed || r.Value != 9 || string(c.stdout) != "before\n" {
		t.Errorf("result %+v, stdout %q", r, c.stdout)
	}
}

// marker makes a sleep whose command line is this test's own, to look
// for in /proc.
func marker(t *testing.T) string {
	return fmt.Sprintf("%d.%03d", 1000+os.Getpid()%1000, time.Now().Nanosecond()%1000)
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
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func TestKillAndCallerGoneLeaveNoProcess(t *testing.T) {
	t.Parallel()
	e := enginetest.Engine(t, sandbox.Config{}, engines.Config{})
	for _, how := range []string{"Kill", "context"} {
		arg := marker(t)
		ctx, cancel := context.WithCancel(context.Background())
		run, err := e.Start(ctx, engines.Request{Language: lang, Code: []byte("echo up; exec sleep " + arg)})
		if err != nil {
			t.Fatal(err)
		}
		for ev, err := run.Next(ctx); ev.Kind != engines.Stdout; ev, err = run.Next(ctx) {
			if err != nil {
				t.Fatal(err)
			}
		}
		waitFor(t, "the sleep to start", func() bool { return running(arg) })
		if how == "Kill" {
			run.Kill()
			c := collect(t, run)
			if r := c.result(t); !r.Killed || r.TimedOut || r.Status != engines.Killed || r.Value != 9 {
				t.Errorf("after Kill: %+v", r)
			}
		} else {
			cancel()
			// The caller is gone: nobody reads the events, the run still ends.
		}
		waitFor(t, how+" to end the sleep", func() bool { return !running(arg) })
		cancel()
	}
}

func TestOutputCaps(t *testing.T) {
	t.Parallel()
	e := enginetest.Engine(t, sandbox.Config{}, engines.Config{})
	// Both caps hit, nothing killed: the program runs to its end.
	c := start(t, e, engines.Request{
		Code:      []byte(`head -c 5000 /dev/zero; head -c 300 /dev/zero >&2; echo end >&2; exit 3`),
		StdoutCap: 1000, StderrCap: 100,
	})
	r := c.result(t)
	if len(c.stdout) != 1000 || len(c.stderr) != 100 || !r.StdoutTruncated || !r.StderrTruncated || r.Status != engines.Exited || r.Value != 3 {
		t.Errorf("got %d/%d bytes, result %+v", len(c.stdout), len(c.stderr), r)
	}
	// yes never ends by itself: passing either cap ends it.
	for _, stream := range []string{"", ">&2"} {
		c = start(t, e, engines.Request{Code: []byte("yes " + stream), StdoutCap: 2000, StderrCap: 500, KillOnTruncate: true})
		r = c.result(t)
		if r.Limit != sandbox.LimitOutput || r.Killed || r.TimedOut || (stream == "" && (len(c.stdout) != 2000 || !r.StdoutTruncated)) ||
			(stream != "" && (len(c.stderr) != 500 || !r.StderrTruncated)) {
			t.Errorf("yes %s: %d/%d bytes, result %+v", stream, len(c.stdout), len(c.stderr), r)
		}
	}
}

func TestChunks(t *testing.T) {
	t.Parallel()
	e := enginetest.Engine(t, sandbox.Config{}, engines.Config{})
	c := start(t, e, engines.Request{Code: []byte(`head -c 100000 /dev/zero`), ChunkSize: 16 << 10})
	if len(c.stdout) != 100000 {
		t.Fatalf("%d bytes", len(c.stdout))
	}
	for _, n := range c.chunks {
		if n > 16<<10 || n == 0 {
			t.Errorf("chunk sizes %v", c.chunks)
			break
		}
	}
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	e := enginetest.Engine(t, sandbox.Config{MaxRuns: 1, MaxQueue: -1},
		engines.Config{PerClient: perclient.Config{Concurrent: 1}})
	ctx := context.Background()
	for _, c := range []struct {
		req  engines.Request
		want error
	}{
		{engines.Request{Language: "nope", Code: []byte("x")}, engines.ErrUnknownLanguage},
		{engines.Request{Language: lang, Arguments: []string{"a\x00b"}}, engines.ErrNULByte},
		{engines.Request{Language: lang, Options: []string{"\x00"}}, engines.ErrNULByte},
		{engines.Request{Language: lang, Timeout: 61 * time.Second}, engines.ErrInvalid},
		{engines.Request{Language: lang, StdoutCap: 2 << 20}, engines.ErrInvalid},
		{engines.Request{Language: lang, Files: []engines.File{{Name: "../x"}}}, engines.ErrInvalid},
		{engines.Request{}, engines.ErrInvalid},
	} {
		if _, err := e.Start(ctx, c.req); !errors.Is(err, c.want) {
			t.Errorf("%+v: %v, want %v", c.req, err, c.want)
		}
	}

	// One run at a time per client, and one run at all with no queue.
	first, err := e.Start(ctx, engines.Request{Language: lang, Code: []byte("echo up; exec sleep 30"), Client: "ip:a"})
	if err != nil {
		t.Fatal(err)
	}
	for ev, err := first.Next(ctx); ev.Kind != engines.Stdout; ev, err = first.Next(ctx) {
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err = e.Start(ctx, engines.Request{Language: lang, Client: "ip:a"})
	var refusal *perclient.Refusal
	if !errors.Is(err, engines.ErrLimited) || !errors.As(err, &refusal) || !strings.Contains(refusal.Reason, "at once") {
		t.Errorf("a second run of one client: %v", err)
	}
	other, err := e.Start(ctx, engines.Request{Language: lang, Client: "ip:b"})
	if err != nil {
		t.Fatal(err)
	}
	if c := collect(t, other); !errors.Is(c.done.Err, engines.ErrBusy) {
		t.Errorf("a run with the sandbox full: %+v", c.done)
	}
	first.Kill()
	collect(t, first)
	c := start(t, e, engines.Request{Code: []byte("echo again"), Client: "ip:a"})
	if string(c.stdout) != "again\n" {
		t.Errorf("after the first ended: %q", c.stdout)
	}
}

// TestLanguages: the engine lists the available built-in languages, and
// each one's hello world prints what it says.
func TestLanguages(t *testing.T) {
	t.Parallel()
	e := enginetest.Engine(t, sandbox.Config{}, engines.Config{})
	langs := e.Languages()
	var ids []string
	for _, l := range langs {
		ids = append(ids, l.ID)
		if !l.Available || l.Name == "" || l.HelloWorld == nil {
			t.Errorf("language %+v", l)
		}
	}
	if !slices.Contains(ids, "bash") || !slices.Contains(ids, "python") || !slices.Contains(ids, "c_gcc") {
		t.Fatalf("languages %v", ids)
	}
	for _, l := range langs {
		if l.ID != "python" && l.ID != "c_gcc" {
			continue
		}
		c := start(t, e, engines.Request{Language: l.ID, Code: []byte(l.HelloWorld.Code)})
		if string(c.stdout) != l.HelloWorld.Output {
			t.Errorf("%s's hello world printed %q, stderr %q", l.ID, c.stdout, c.stderr)
		}
	}
}
