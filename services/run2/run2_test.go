package run2_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/services/run2"
	"github.com/pid1/pid1/test/kit/servicetest"
)

func serve(t *testing.T, files map[string]string) func(string) string {
	t.Helper()
	return servicetest.Serve(t, run2.Descriptor(servicetest.Deps(t, files)))
}

// events reads the stream until a Stopped state after Running, and
// returns it as lines: "Running", "execInfo compile cc ...", "output ...",
// "error ...", "hint ...", "Stopped" (outputs joined).
func events(t *testing.T, ch *client.Channel) []string {
	t.Helper()
	var out []string
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			out = append(out, "output "+text.String())
			text.Reset()
		}
	}
	deadline := time.After(60 * time.Second)
	for {
		select {
		case c := <-ch.Stream():
			switch b := c.Body.(type) {
			case *api.Command_Output:
				text.WriteString(b.Output)
				continue
			case *api.Command_State:
				flush()
				out = append(out, b.State.String())
				if b.State == api.State_Stopped && len(out) > 1 {
					return out
				}
			case *api.Command_ExecInfo:
				flush()
				out = append(out, "execInfo "+b.ExecInfo.Reason+" "+strings.Join(b.ExecInfo.Command, " "))
			case *api.Command_Error:
				flush()
				out = append(out, "error "+b.Error)
			case *api.Command_Hint:
				flush()
				out = append(out, "hint "+b.Hint.Text)
			case *api.Command_OutputBlockStartEvent:
				flush()
				if b.OutputBlockStartEvent.GetMeasureStartTime() == nil {
					t.Fatal("an outputBlockStartEvent without its time")
				}
				out = append(out, "blockStart "+b.OutputBlockStartEvent.GetExecutionMode().String())
			case *api.Command_OutputBlockEndEvent:
				flush()
				if b.OutputBlockEndEvent.GetMeasureEndTime() == nil {
					t.Fatal("an outputBlockEndEvent without its time")
				}
				out = append(out, fmt.Sprint("blockEnd ", b.OutputBlockEndEvent.GetExitCode()))
			}
		case <-deadline:
			t.Fatalf("no end of the run within 60s: %q", out)
		}
	}
}

func runMain(t *testing.T, ch *client.Channel) {
	t.Helper()
	if err := ch.Send(context.Background(), &api.Command{Body: &api.Command_RunMain{RunMain: &api.RunMain{}}}); err != nil {
		t.Fatal(err)
	}
}

func open(t *testing.T, url func(string) string) *client.Channel {
	ch := servicetest.Open(t, url("ada"), "run2", "run2")
	if st := servicetest.Next(t, ch); st.GetBody() == nil || st.GetState() != api.State_Stopped {
		t.Fatalf("attach: %v", st)
	}
	return ch
}

func TestLanguages(t *testing.T) {
	cases := map[string]struct {
		files map[string]string
		want  []string // in order: prefixes of the event lines
	}{
		"python3": {map[string]string{"main.py": "print('hello from', 'python')\n"},
			[]string{"Running", "blockStart Run", "execInfo run python3 -u main.py", "output hello from python", "blockEnd 0", "Stopped"}},
		"nodejs": {map[string]string{"index.js": "console.log('hello from node')\n"},
			[]string{"Running", "blockStart Run", "execInfo run node index.js", "output hello from node", "blockEnd 0", "Stopped"}},
		"go": {map[string]string{"go.mod": "module hello\n\ngo 1.21\n", "main.go": "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello from go\") }\n"},
			[]string{"Running", "blockStart Run", "execInfo compile go build -o ", "execInfo run ", "output hello from go", "blockEnd 0", "Stopped"}},
		"c": {map[string]string{"main.c": "#include <stdio.h>\nint main(void) { puts(\"hello from c\"); return 0; }\n"},
			[]string{"Running", "blockStart Run", "execInfo compile cc -Wall -o ", "execInfo run ", "output hello from c", "blockEnd 0", "Stopped"}},
		"make": {map[string]string{"Makefile": "all:\n\t@echo hello from make\n", "main.py": "print('not me')\n"},
			[]string{"Running", "blockStart Run", "execInfo run make", "output hello from make", "blockEnd 0", "Stopped"}},
		"failure": {map[string]string{"main.py": "import sys\nprint('bye')\nsys.exit(3)\n"},
			[]string{"Running", "blockStart Run", "execInfo run python3 -u main.py", "output bye", "error exit status 3", "blockEnd 3", "Stopped"}},
		"compile error": {map[string]string{"main.c": "int main(void) { return oops; }\n"},
			[]string{"Running", "blockStart Run", "execInfo compile cc", "output ", "error exit status 1", "blockEnd 1", "Stopped"}},
		"clippy": {map[string]string{"index.js": "window.alert('Hello!')\n"},
			[]string{"Running", "blockStart Run", "execInfo run node index.js", "output ", "hint Looks like you're trying to use the window browser API in Nodejs. Try using an HTML repl instead.", "error exit status 1", "blockEnd 1", "Stopped"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ch := open(t, serve(t, c.files))
			runMain(t, ch)
			// Output may come in any number of pieces around the other
			// events: compare the other events in order, and the text.
			var got, text []string
			for _, e := range events(t, ch) {
				if o, ok := strings.CutPrefix(e, "output "); ok {
					text = append(text, o)
				} else {
					got = append(got, e)
				}
			}
			var want []string
			for _, w := range c.want {
				if o, ok := strings.CutPrefix(w, "output "); ok {
					if !strings.Contains(strings.Join(text, ""), o) {
						t.Fatalf("output %q does not contain %q", text, o)
					}
				} else {
					want = append(want, w)
				}
			}
			if len(got) != len(want) {
				t.Fatalf("got %q, want %q", got, want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], want[i]) {
					t.Fatalf("event %d: got %q, want %q (all: %q)", i, got[i], want[i], got)
				}
			}
		})
	}
}

// A program reads its input from the terminal; runMain again empties the
// scrollback; clear stops a program.
func TestInputScrollbackAndClear(t *testing.T) {
	url := serve(t, map[string]string{"main.py": "name = input('what is your name? ')\nprint('hi', name)\n"})
	ch := open(t, url)
	runMain(t, ch)
	for c := range ch.Stream() {
		if strings.Contains(c.GetOutput(), "what is your name?") {
			break
		}
	}
	if err := ch.Send(context.Background(), &api.Command{Body: &api.Command_Input{Input: "faris\r"}}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(events(t, ch), "|"); !strings.Contains(got, "hi faris") {
		t.Fatalf("got %q", got)
	}
	// A late joiner sees the last run's output.
	late := servicetest.Open(t, url("bob"), "run2", "run2")
	if c := servicetest.Next(t, late); !strings.Contains(c.GetOutput(), "hi faris") {
		t.Fatalf("scrollback: %v", c)
	}
	runMain(t, ch) // empties the scrollback; the program waits for input
	for c := range ch.Stream() {
		if strings.Contains(c.GetOutput(), "what is your name?") {
			break
		}
	}
	if err := ch.Send(context.Background(), &api.Command{Body: &api.Command_Clear{Clear: &api.Clear{}}}); err != nil {
		t.Fatal(err)
	}
	for c := range ch.Stream() {
		if st, ok := c.Body.(*api.Command_State); ok && st.State == api.State_Stopped {
			break
		}
	}
	third := servicetest.Open(t, url("cy"), "run2", "run2")
	if c := servicetest.Next(t, third); c.GetState() != api.State_Stopped || c.GetBody() == nil {
		t.Fatalf("after clear a newcomer got %v (the scrollback should be empty)", c)
	}
}

func TestBadRequests(t *testing.T) {
	ch := open(t, serve(t, map[string]string{"README": "nothing to run"}))
	for cmd, want := range map[*api.Command]string{
		{Body: &api.Command_RunMain{RunMain: &api.RunMain{}}}: `nothing to run: add a .replit with run = "...", or a main.py, index.js, main.go, main.c, main.sh or Makefile`,
		{Body: &api.Command_Ping{Ping: &api.Ping{}}}:          "run2 takes runMain, clear, input, resizeTerm and saneTerm, not ping",
	} {
		if r := servicetest.Request(t, ch, cmd); r.GetError() != want {
			t.Errorf("%v: got %v, want %q", cmd, r, want)
		}
	}
	url := serve(t, map[string]string{"main.py": ""})
	servicetest.Open(t, url("ada"), "run2", "run2")
	ro := servicetest.Open(t, url("ro:viewer"), "run2", "run2")
	if r := servicetest.Request(t, ro, &api.Command{Body: &api.Command_RunMain{RunMain: &api.RunMain{}}}); !strings.HasPrefix(r.GetError(), "read-only:") {
		t.Fatalf("read-only runMain: %v", r)
	}
}
