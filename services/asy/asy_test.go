package asy_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/engines"
	easy "github.com/pid1/pid1/engines/asy"
	"github.com/pid1/pid1/sandbox"
	"github.com/pid1/pid1/services/asy"
	"github.com/pid1/pid1/test/kit/enginetest"
	"github.com/pid1/pid1/test/kit/servicetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// hub serves asy over a real engine (sandbox, built-in languages).
func hub(t *testing.T) func(user string) string {
	t.Helper()
	eng := enginetest.Engine(t, sandbox.Config{}, engines.Config{})
	found := false
	for _, l := range eng.Languages() {
		found = found || l.ID == "asymptote"
	}
	if !found {
		t.Skip("asymptote is not installed here (scripts/test-deps.sh installs it)")
	}
	return servicetest.Serve(t, asy.Descriptor(easy.New(easy.Config{Engine: eng})))
}

func runCmd(ref string, r *api.AsyRun) *api.Command {
	return &api.Command{Ref: ref, Body: &api.Command_AsyRun{AsyRun: r}}
}

func file(name, code string) *api.AsyFile {
	return &api.AsyFile{Filename: name, Contents: []byte(code)}
}

// task is what a task sent, up to its end.
type task struct {
	started  bool
	stdout   string
	stderr   string
	result   *api.AsyResult
	complete *api.AsyComplete
	reply    *api.Command
}

// until reads ch until the reply to ref (or, with ref "", asyComplete).
func until(t *testing.T, ch *client.Channel, ref string) task {
	t.Helper()
	var o task
	for {
		cmd := servicetest.Next(t, ch)
		switch b := cmd.Body.(type) {
		case *api.Command_AsyStatus:
		case *api.Command_AsyOutput:
			if len(b.AsyOutput.Data) == 0 {
				o.started = true
			} else if b.AsyOutput.Stream == api.AsyOutput_STDERR {
				o.stderr += string(b.AsyOutput.Data)
			} else {
				o.stdout += string(b.AsyOutput.Data)
			}
			continue
		case *api.Command_AsyResult:
			o.result = b.AsyResult
			continue
		case *api.Command_AsyComplete:
			o.complete = b.AsyComplete
		}
		if cmd.Ref == ref && (ref != "" || o.complete != nil) {
			o.reply = cmd
			return o
		}
		if cmd.GetAsyStatus() == nil {
			t.Fatalf("unexpected %v", cmd)
		}
	}
}

func TestCircleToEveryoneAttached(t *testing.T) {
	t.Parallel()
	url := hub(t)
	ch := servicetest.Open(t, url("ada"), "asy", "asyer")
	watcher := servicetest.Open(t, url("bob"), "asy", "asyer")
	r := &api.AsyRun{Files: []*api.AsyFile{file("c.asy", "size(2cm); draw(unitcircle); write(\"drawn\");")}, Main: "c.asy", Format: "png"}
	if err := ch.Send(context.Background(), runCmd("run", r)); err != nil {
		t.Fatal(err)
	}
	o := until(t, ch, "run")
	if !o.started || o.stdout != "drawn\n" || o.result.GetFormat() != "png" || !bytes.HasPrefix(o.result.GetImage(), []byte("\x89PNG\r\n\x1a\n")) ||
		o.complete == nil || o.complete.Error != "" {
		t.Fatalf("sender: %+v", o)
	}
	w := until(t, watcher, "")
	if w.stdout != "drawn\n" || !bytes.Equal(w.result.GetImage(), o.result.GetImage()) {
		t.Errorf("watcher: %+v", w)
	}
	r = &api.AsyRun{Files: []*api.AsyFile{file("bad.asy", "draw((0,0)--(1,1);")}, Main: "bad.asy", StderrApart: true}
	if err := ch.Send(context.Background(), runCmd("bad", r)); err != nil {
		t.Fatal(err)
	}
	if o := until(t, ch, "bad"); o.complete.GetError() != "Execution failed" || !strings.Contains(o.stderr, "syntax error") {
		t.Errorf("a program with an error: %+v", o)
	}
}

func sum(b string) string { h := sha256.Sum256([]byte(b)); return hex.EncodeToString(h[:]) }

func TestRestoreAndMissing(t *testing.T) {
	t.Parallel()
	url := hub(t)
	ch := servicetest.Open(t, url("ada"), "asy", "")
	lib := "path shape = unitcircle;\n"
	main := file("main.asy", "import lib; size(1cm); draw(shape);")
	restore := &api.AsyFile{Filename: "lib.asy", Hash: sum(lib), Restore: true}
	r := servicetest.Request(t, ch, runCmd("first", &api.AsyRun{Files: []*api.AsyFile{restore, main}, Main: "main.asy"}))
	if m := r.GetAsyMissing(); len(m.GetFiles()) != 1 || m.Files[0].Filename != "lib.asy" || m.Files[0].Hash != sum(lib) {
		t.Fatalf("want asyMissing: %v", r)
	}
	withHash := &api.AsyFile{Filename: "lib.asy", Contents: []byte(lib), Hash: sum(lib)}
	if err := ch.Send(context.Background(), runCmd("second", &api.AsyRun{Files: []*api.AsyFile{withHash, main}, Main: "main.asy"})); err != nil {
		t.Fatal(err)
	}
	if o := until(t, ch, "second"); o.result == nil {
		t.Fatalf("with the file: %+v", o)
	}
	if err := ch.Send(context.Background(), runCmd("third", &api.AsyRun{Files: []*api.AsyFile{restore, main}, Main: "main.asy"})); err != nil {
		t.Fatal(err)
	}
	if o := until(t, ch, "third"); o.result == nil || o.complete.GetError() != "" {
		t.Fatalf("restored: %+v", o)
	}
}

func TestRefusalsInteractiveAndKill(t *testing.T) {
	t.Parallel()
	url := hub(t)
	ch := servicetest.Open(t, url("ada"), "asy", "")
	for _, c := range []struct {
		cmd  *api.Command
		want string
	}{
		{runCmd("a", &api.AsyRun{Files: []*api.AsyFile{file("a.txt", "")}, Main: "a.txt"}), `file name "a.txt" must end with .asy`},
		{runCmd("b", &api.AsyRun{Files: []*api.AsyFile{file("a.asy", "")}, Main: "a.asy", Duration: 5}), "duration must be 3, 10 or 30 (seconds), not 5"},
		{runCmd("c", &api.AsyRun{Files: []*api.AsyFile{file("a.asy", "")}, Main: "b.asy"}), `main "b.asy" is not one of the files`},
		{runCmd("d", &api.AsyRun{Interactive: true, Duration: 3}), "an interactive session has no duration"},
		{runCmd("e", &api.AsyRun{Files: []*api.AsyFile{{Filename: "a.asy", Contents: []byte("x"), Hash: sum("y")}}, Main: "a.asy"}),
			"file a.asy: the contents' SHA-256 is " + sum("x") + ", not " + sum("y")},
		{&api.Command{Ref: "k", Body: &api.Command_AsyKill{AsyKill: &api.AsyKill{}}}, "no task is going"},
	} {
		if r := servicetest.Request(t, ch, c.cmd); r.GetError() != c.want {
			t.Errorf("%v: %v, want error %q", c.cmd, r, c.want)
		}
	}
	ro := servicetest.Open(t, url("ro:eve"), "asy", "")
	run := runCmd("r", &api.AsyRun{Interactive: true})
	if r := servicetest.Request(t, ro, run); r.GetError() != servicetest.ReadOnlyRefusal(run, "asy") {
		t.Errorf("a read-only run: %v", r)
	}

	// An interactive task answers its input; asyKill aborts it.
	if err := ch.Send(context.Background(), runCmd("shell", &api.AsyRun{Interactive: true, Stdin: []byte("write(1+2);\n")})); err != nil {
		t.Fatal(err)
	}
	var out string
	for !strings.Contains(out, "3\n") {
		out += string(servicetest.Next(t, ch).GetAsyOutput().GetData())
	}
	// asy may answer before the reply to asyInput reaches the stream.
	before, r := servicetest.Exchange(t, ch, &api.Command{Ref: "in", Body: &api.Command_AsyInput{AsyInput: &api.AsyInput{Data: []byte("write(6*7);\n")}}})
	if r.GetOk() == nil {
		t.Fatalf("asyInput: %v", r)
	}
	for _, c := range before {
		out += string(c.GetAsyOutput().GetData())
	}
	for !strings.Contains(out, "42\n") {
		out += string(servicetest.Next(t, ch).GetAsyOutput().GetData())
	}
	if r := servicetest.Request(t, ch, runCmd("again", &api.AsyRun{Interactive: true})); !strings.HasPrefix(r.GetError(), "a task is going") {
		t.Errorf("a second task: %v", r)
	}
	if r := servicetest.Request(t, ch, &api.Command{Ref: "k", Body: &api.Command_AsyKill{AsyKill: &api.AsyKill{}}}); r.GetOk() == nil {
		t.Fatalf("asyKill: %v", r)
	}
	if o := until(t, ch, "shell"); o.complete.GetError() != "Execution aborted by asyKill" {
		t.Errorf("after asyKill: %+v", o)
	}

	off := servicetest.Serve(t, asy.Descriptor(nil))
	c := servicetest.Open(t, off("ada"), "asy", "")
	if r := servicetest.Request(t, c, runCmd("x", &api.AsyRun{Interactive: true})); !strings.HasPrefix(r.GetError(), "the execution engines are off") {
		t.Errorf("asyRun with the engines off: %v", r)
	}
}
