package engines_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/pid1/pid1/engines"
	"github.com/pid1/pid1/sandbox"
	"github.com/pid1/pid1/test/kit/enginetest"
)

// Input can stream: the program answers each line as it comes.
func TestStreamedStdinEnvAndName(t *testing.T) {
	t.Parallel()
	e := enginetest.Engine(t, sandbox.Config{}, engines.Config{})
	inR, inW := io.Pipe()
	defer inW.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	run, err := e.Start(ctx, engines.Request{Language: "python", Name: "echoer.py", Stdin: inR,
		Env: []string{"GREETING=hi there", "LANG=C"},
		Code: []byte("import os, sys\nprint(os.environ['GREETING'], os.environ['LANG'], sys.argv[0], flush=True)\n" +
			"for line in sys.stdin:\n    print('got', line.strip(), flush=True)\n")})
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	next := func(want string) {
		t.Helper()
		for !bytes.Contains(out, []byte(want)) {
			ev, err := run.Next(ctx)
			if err != nil || ev.Kind == engines.Done {
				t.Fatalf("waiting for %q: %v %+v; stdout %q", want, err, ev, out)
			}
			out = append(out, ev.Data...)
		}
	}
	next("hi there C echoer.py\n")
	io.WriteString(inW, "one\n")
	next("got one\n")
	io.WriteString(inW, "two\n")
	next("got two\n")
	inW.Close()
	c := collect(t, run)
	if r := c.result(t); r.Status != engines.Exited || r.Value != 0 {
		t.Errorf("result %+v, stderr %q", r, c.stderr)
	}

	for _, bad := range []engines.Request{
		{Language: "python", Code: []byte("1"), Env: []string{"NOEQUALS"}},
		{Language: "python", Code: []byte("1"), Env: []string{"=x"}},
		{Language: "python", Code: []byte("1"), Env: []string{"A=\x00"}},
		{Language: "python", Code: []byte("1"), Name: "../x.py"},
		{Language: "c_gcc", Code: []byte("1"), Name: "main.c"},
		{Language: "python", Shell: true},
		{Language: "asymptote", Shell: true, Code: []byte("write(1);")},
	} {
		if _, err := e.Start(ctx, bad); !errors.Is(err, engines.ErrInvalid) {
			t.Errorf("%+v: %v, want ErrInvalid", bad, err)
		}
	}
}

// An Asymptote shell reads commands from the stream; a program's picture
// comes back as a collected file.
func TestShellAndCollectedFiles(t *testing.T) {
	t.Parallel()
	e := enginetest.Engine(t, sandbox.Config{}, engines.Config{})
	if !available(e, "asymptote") {
		t.Skip("asymptote is not installed")
	}
	c := start(t, e, engines.Request{Language: "asymptote", Name: "circle.asy", Options: []string{"-f", "pdf"},
		Code: []byte("size(2cm); draw(unitcircle);")})
	r := c.result(t)
	if r.Status != engines.Exited || r.Value != 0 || len(r.Files) != 1 || r.Files[0].Name != "out.pdf" ||
		!bytes.HasPrefix(r.Files[0].Data, []byte("%PDF-")) {
		t.Fatalf("picture: %+v; stderr %q", r, c.stderr)
	}
	c = start(t, e, engines.Request{Language: "asymptote", Shell: true, Input: []byte("write(1+2);\n")})
	if r := c.result(t); r.Value != 0 || !strings.Contains(string(c.stdout), "3\n") {
		t.Errorf("shell: %+v %q %q", r, c.stdout, c.stderr)
	}
}

func available(e *engines.Engine, id string) bool {
	for _, l := range e.Languages() {
		if l.ID == id {
			return true
		}
	}
	return false
}

// Started comes when the run leaves the sandbox's queue, not before.
func TestStartedWaitsForTheQueue(t *testing.T) {
	t.Parallel()
	e := enginetest.Engine(t, sandbox.Config{MaxRuns: 1}, engines.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	inR, inW := io.Pipe()
	defer inW.Close()
	first, err := e.Start(ctx, engines.Request{Language: lang, Code: []byte("cat"), Stdin: inR})
	if err != nil {
		t.Fatal(err)
	}
	if ev, err := first.Next(ctx); err != nil || ev.Kind != engines.Started {
		t.Fatalf("first event %+v %v", ev, err)
	}
	second, err := e.Start(ctx, engines.Request{Language: lang, Code: []byte("echo second")})
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan engines.Event, 1)
	go func() {
		ev, _ := second.Next(ctx)
		got <- ev
	}()
	// The second waits while the first holds the only slot: its first
	// event can only come after the first run ends.
	io.WriteString(inW, "first\n")
	if ev, err := first.Next(ctx); err != nil || string(ev.Data) != "first\n" {
		t.Fatalf("first's echo: %+v %v", ev, err)
	}
	select {
	case ev := <-got:
		t.Fatalf("the queued run's first event came while the first held the slot: %+v", ev)
	default:
	}
	inW.Close()
	collect(t, first)
	if ev := <-got; ev.Kind != engines.Started {
		t.Errorf("queued run's first event %+v", ev)
	}
	if c := collect(t, second); string(c.stdout) != "second\n" {
		t.Errorf("second printed %q", c.stdout)
	}
}
