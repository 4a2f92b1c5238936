package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman-repl/literal"
	"github.com/pid1/pid1/test/kit/registries"
	"github.com/pid1/pid1/test/kit/testutil"
	"google.golang.org/protobuf/proto"
)

// A transcript is one ```conman-repl block of SERVICES.md.
type transcript struct {
	line  int // where the block starts in the file
	lines []string
}

// readTranscripts extracts the conman-repl blocks of a markdown file.
func readTranscripts(t *testing.T, path string) []transcript {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []transcript
	var cur *transcript
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur == nil && strings.HasPrefix(line, "```conman-repl"):
			cur = &transcript{line: n}
		case cur != nil && strings.HasPrefix(line, "```"):
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.lines = append(cur.lines, line)
		}
	}
	if cur != nil {
		t.Fatalf("%s: block at line %d is not closed", path, cur.line)
	}
	return out
}

// replay runs the transcript's commands through conman-repl against a fresh
// in-process pid1 and returns what it printed.
func replay(t *testing.T, tr transcript) []string {
	t.Helper()
	dial, cleanup, err := startInProcess(t.TempDir(), "replbot", "")
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	var script strings.Builder
	for _, l := range tr.lines {
		if cmd, ok := strings.CutPrefix(l, "> "); ok {
			script.WriteString(cmd + "\n")
		}
	}
	out := &testutil.Buffer{}
	r := newREPL(dial, out)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	r.scripted(ctx, strings.NewReader(script.String()), true, 150*time.Millisecond)
	r.closeAll()
	return strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
}

// TestServicesTranscripts replays every conman-repl block of SERVICES.md
// and compares the output line by line. Within the lines that follow one
// command, each client's channel stream must match in order; how streams of
// different clients interleave is not defined by the protocol, so it is
// not compared. `<...>` in an expected line matches any text (timestamps).
func TestServicesTranscripts(t *testing.T) {
	// The shell service runs bash, which reads ~/.bashrc: a home without
	// one keeps the machine's own start-up scripts out of the transcripts.
	home := t.TempDir()
	t.Setenv("HOME", home)
	trs := readTranscripts(t, "../SERVICES.md")
	if len(trs) == 0 {
		t.Fatal("SERVICES.md has no conman-repl transcripts")
	}
	if slices.ContainsFunc(trs, usesPackager) {
		// The packager's transcripts install from local registries, which
		// the programs' npm, pip and go find through their configuration
		// in that home.
		reg, err := registries.Start()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(reg.Stop)
		if err := reg.WriteConfig(home); err != nil {
			t.Fatal(err)
		}
	}
	for _, tr := range trs {
		t.Run(fmt.Sprintf("line%d", tr.line), func(t *testing.T) {
			t.Parallel()
			got := replay(t, tr)
			if err := compareTranscript(tr.lines, got); err != nil {
				t.Errorf("SERVICES.md block at line %d: %v\n--- got:\n%s", tr.line, err, strings.Join(got, "\n"))
			}
		})
	}
}

// usesPackager reports whether a transcript talks to packager2 or
// packager3.
func usesPackager(tr transcript) bool {
	return slices.ContainsFunc(tr.lines, func(l string) bool { return strings.HasPrefix(l, "> packager") })
}

// step is one command and what followed it.
type step struct {
	input  string
	plain  []string            // lines without a (channel) prefix, in order
	stream map[string][]string // lines by (channel -> client) prefix, in order
}

var prefixRE = regexp.MustCompile(`^\(([^)]*)\) `)

func steps(lines []string) []step {
	var out []step
	cur := step{stream: map[string][]string{}}
	for _, l := range lines {
		if in, ok := strings.CutPrefix(l, "> "); ok {
			if strings.HasPrefix(in, ".sleep ") || in == ".wait" || strings.HasPrefix(in, ".wait ") {
				// Waiting sends nothing: what arrives meanwhile belongs to
				// the command before, whether it came before or after the
				// wait began.
				cur.input += " + " + in
				continue
			}
			out = append(out, cur)
			cur = step{input: in, stream: map[string][]string{}}
			continue
		}
		if m := prefixRE.FindStringSubmatch(l); m != nil {
			cur.stream[m[1]] = append(cur.stream[m[1]], l)
			continue
		}
		cur.plain = append(cur.plain, l)
	}
	return append(out, cur)
}

func compareTranscript(want, got []string) error {
	ws, gs := steps(want), steps(got)
	if len(ws) != len(gs) {
		return fmt.Errorf("%d commands expected, %d replayed", len(ws)-1, len(gs)-1)
	}
	for i := range ws {
		w, g := ws[i], gs[i]
		where := fmt.Sprintf("after %q", w.input)
		if w.input != g.input {
			return fmt.Errorf("command %d: want %q, got %q", i, w.input, g.input)
		}
		if err := matchLines(w.plain, g.plain); err != nil {
			return fmt.Errorf("%s: %v", where, err)
		}
		for k := range g.stream {
			if _, ok := w.stream[k]; !ok {
				return fmt.Errorf("%s: unexpected output %q", where, g.stream[k][0])
			}
		}
		for k, wl := range w.stream {
			if err := matchLines(mergeOutputs(wl), mergeOutputs(g.stream[k])); err != nil {
				return fmt.Errorf("%s, stream (%s): %v", where, k, err)
			}
		}
	}
	return nil
}

var placeholderRE = regexp.MustCompile(`<[^<>]*>`)

func matchLines(want, got []string) error {
	for i := 0; i < len(want) || i < len(got); i++ {
		switch {
		case i >= len(got):
			return fmt.Errorf("missing line %q", want[i])
		case i >= len(want):
			return fmt.Errorf("unexpected line %q", got[i])
		case !lineMatches(want[i], got[i]):
			return fmt.Errorf("line differs:\n  want %s\n  got  %s", want[i], got[i])
		}
	}
	return nil
}

// lineMatches compares one line. Lines with the same prefix whose bodies
// parse to equal commands match too, so that a transcript may quote the
// seed document's spelling ({ files: [{ path: "a", type: "Regular" }] }).
func lineMatches(want, got string) bool {
	if !placeholderRE.MatchString(want) {
		return want == got || sameCommand(want, got)
	}
	// Output prints < > & as \u003c \u003e \u0026; a transcript with
	// placeholders may write them plainly.
	var re strings.Builder
	re.WriteString("^")
	last := 0
	for _, loc := range placeholderRE.FindAllStringIndex(want, -1) {
		re.WriteString(regexp.QuoteMeta(htmlUnescape.Replace(want[last:loc[0]])))
		re.WriteString(".*?")
		last = loc[1]
	}
	re.WriteString(regexp.QuoteMeta(htmlUnescape.Replace(want[last:])) + "$")
	return regexp.MustCompile(re.String()).MatchString(htmlUnescape.Replace(got))
}

var htmlUnescape = strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&")

func TestCompareTranscript(t *testing.T) {
	want := []string{"> a { x: 1 }", "upserted channel named a", "(a) { y: 1 }", "(a -> b) { y: 2 }", "(a) { t: \"<ts>\" }"}
	ok := []string{"> a { x: 1 }", "(a -> b) { y: 2 }", "upserted channel named a", "(a) { y: 1 }", "(a) { t: \"2026\" }"}
	if err := compareTranscript(want, ok); err != nil {
		t.Fatalf("interleaving across clients must not matter: %v", err)
	}
	for _, bad := range [][]string{
		{"> a { x: 1 }", "upserted channel named a", "(a) { t: \"2026\" }", "(a) { y: 1 }", "(a -> b) { y: 2 }"},
		{"> a { x: 1 }", "upserted channel named a", "(a) { y: 1 }", "(a -> b) { y: 3 }", "(a) { t: \"x\" }"},
		{"> a { x: 1 }", "(a) { y: 1 }", "(a -> b) { y: 2 }", "(a) { t: \"x\" }"},
		{"> a { x: 2 }", "upserted channel named a", "(a) { y: 1 }", "(a -> b) { y: 2 }", "(a) { t: \"x\" }"},
		{"> a { x: 1 }", "upserted channel named a", "(a) { y: 1 }", "(a -> b) { y: 2 }", "(a) { t: \"x\" }", "(c) { z: 1 }"},
	} {
		if compareTranscript(want, bad) == nil {
			t.Errorf("accepted a wrong transcript: %q", bad)
		}
	}
}

func sameCommand(want, got string) bool {
	wp, gp := prefixRE.FindString(want), prefixRE.FindString(got)
	if wp != gp {
		return false
	}
	w, err := literal.Parse(want[len(wp):])
	if err != nil {
		return false
	}
	g, err := literal.Parse(got[len(gp):])
	return err == nil && proto.Equal(w, g)
}

func TestOutputsAreMerged(t *testing.T) {
	got := mergeOutputs([]string{`(shell) { output: "a" }`, `(shell) { output: "b" }`, `(shell) { state: "Stopped" }`, `(shell) { output: "c" }`})
	want := []string{`(shell) { output: "ab" }`, `(shell) { state: "Stopped" }`, `(shell) { output: "c" }`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("%q", got)
	}
	got = mergeOutputs([]string{`(asy) { asyOutput: {} }`, `(asy) { asyOutput: { data: "> " } }`, `(asy) { asyOutput: { data: "3\n" } }`,
		`(asy) { asyOutput: { stream: STDERR, data: "e" } }`, `(ranna) { rannaLog: { runid: "r", stdout: "a" } }`,
		`(ranna) { rannaLog: { runid: "r", stdout: "b" } }`, `(ranna) { rannaLog: { runid: "s", stdout: "c" } }`,
		`(ranna) { rannaLog: { runid: "s", stderr: "d" } }`})
	want = []string{`(asy) { asyOutput: {} }`, `(asy) { asyOutput: { data: "> 3\n" } }`, `(asy) { asyOutput: { stream: STDERR, data: "e" } }`,
		`(ranna) { rannaLog: { runid: "r", stdout: "ab" } }`, `(ranna) { rannaLog: { runid: "s", stdout: "c" } }`,
		`(ranna) { rannaLog: { runid: "s", stderr: "d" } }`}
	if len(got) != len(want) {
		t.Fatalf("%q", got)
	}
	for i := range want {
		if !lineMatches(want[i], got[i]) {
			t.Errorf("line %d: %s, want %s", i, got[i], want[i])
		}
	}
}

func TestLinesMatchBySpellingOrMeaning(t *testing.T) {
	same := [][2]string{
		{`(files) { files: [{ path: "the_only_file", type: "Regular" }] }`, `(files) { files: [ { path: "the_only_file", type: "Regular" } ] }`},
		{`(ot) { ok: {} }`, `(ot) { ok: { } }`},
		{`(exec) { output: 'hi\n' }`, `(exec) { output: "hi\n" }`},
	}
	for _, c := range same {
		if !lineMatches(c[0], c[1]) {
			t.Errorf("%s should match %s", c[0], c[1])
		}
	}
	differ := [][2]string{
		{`(files) { files: [{ path: "a", type: "Directory" }] }`, `(files) { files: [ { path: "a", type: "Regular" } ] }`},
		{`(files) { ok: {} }`, `(file) { ok: {} }`},
		{`(files) { ok: {} }`, `(files) { error: "x" }`},
		{`(files) not a command`, `(files) not a command either`},
	}
	for _, c := range differ {
		if lineMatches(c[0], c[1]) {
			t.Errorf("%s must not match %s", c[0], c[1])
		}
	}
}

// mergeOutputs joins consecutive output lines of one stream (goval's
// `output`, and the engines' `atoOutput`, `rannaLog` and non-empty
// `asyOutput` of the same stream and run): how a program's output is cut
// into messages depends on timing, not on the protocol.
func mergeOutputs(lines []string) []string {
	var out []string
	var pending *api.Command
	prefix, key, first, merged := "", "", "", false
	flush := func() {
		switch {
		case pending == nil:
		case merged:
			out = append(out, prefix+literal.Format(pending))
		default:
			out = append(out, first) // as written, placeholders and all
		}
		pending, merged = nil, false
	}
	for _, l := range lines {
		p := prefixRE.FindString(l)
		cmd, err := literal.Parse(l[len(p):])
		var k string
		if err == nil {
			k = outputKey(cmd)
		}
		if k == "" {
			flush()
			out = append(out, l)
			continue
		}
		if pending != nil && p == prefix && k == key {
			appendOutput(pending, cmd)
			merged = true
			continue
		}
		flush()
		pending, prefix, key, first = cmd, p, k, l
	}
	flush()
	return out
}

// outputKey says which stream cmd is output of, or "" when it is not
// output that may be cut anywhere.
func outputKey(cmd *api.Command) string {
	switch b := cmd.Body.(type) {
	case *api.Command_Output:
		if b.Output != "" {
			return "output"
		}
	case *api.Command_AtoOutput:
		if len(b.AtoOutput.GetData()) > 0 {
			return "atoOutput " + b.AtoOutput.GetStream().String()
		}
	case *api.Command_AsyOutput:
		if len(b.AsyOutput.GetData()) > 0 { // an empty one marks asy's start
			return "asyOutput " + b.AsyOutput.GetStream().String()
		}
	case *api.Command_RannaLog:
		l := b.RannaLog
		switch {
		case len(l.GetStdout()) > 0 && len(l.GetStderr()) == 0:
			return "rannaLog stdout " + l.GetRunid()
		case len(l.GetStderr()) > 0 && len(l.GetStdout()) == 0:
			return "rannaLog stderr " + l.GetRunid()
		}
	}
	return ""
}

// appendOutput appends next's output to cmd's (outputKey says they are
// of one stream).
func appendOutput(cmd, next *api.Command) {
	switch b := cmd.Body.(type) {
	case *api.Command_Output:
		b.Output += next.GetOutput()
	case *api.Command_AtoOutput:
		b.AtoOutput.Data = append(b.AtoOutput.Data, next.GetAtoOutput().GetData()...)
	case *api.Command_AsyOutput:
		b.AsyOutput.Data = append(b.AsyOutput.Data, next.GetAsyOutput().GetData()...)
	case *api.Command_RannaLog:
		b.RannaLog.Stdout = append(b.RannaLog.Stdout, next.GetRannaLog().GetStdout()...)
		b.RannaLog.Stderr = append(b.RannaLog.Stderr, next.GetRannaLog().GetStderr()...)
	}
}
