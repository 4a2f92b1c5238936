package runners

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/pid1/pid1/sandbox"
	"github.com/pid1/pid1/sandbox/sandboxtest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// The languages the issue asks for; a missing toolchain is a skip with
// the reason, never a pass.
var required = []string{"python", "c_gcc", "cpp_gcc", "go", "javascript_node", "bash", "zsh", "perl", "ruby",
	"lua", "php", "rust", "java_openjdk", "asymptote"}

var (
	setOnce sync.Once
	set     *Set
)

// testSet probes the languages once for the whole test binary.
func testSet(t *testing.T) (*Set, *sandbox.Sandbox) {
	t.Helper()
	sb := sandboxtest.New(t, sandbox.Config{MaxRuns: 2})
	setOnce.Do(func() { set = Default(context.Background(), sb, Options{}) })
	return set, sb
}

type ran struct {
	res            sandbox.Result
	stdout, stderr string
}

func runReq(t *testing.T, sb *sandbox.Sandbox, r *Runner, req Request) ran {
	t.Helper()
	spec, err := r.Spec(req)
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	spec.Stdout, spec.Stderr = &out, &errb
	res, err := sb.Run(context.Background(), spec)
	if err != nil {
		t.Fatalf("%s: %v", r.ID, err)
	}
	return ran{res, out.String(), errb.String()}
}

func TestEveryLanguageHelloWorld(t *testing.T) {
	s, sb := testSet(t)
	for _, id := range required {
		t.Run(id, func(t *testing.T) {
			r, ok := s.Lookup(id)
			if !ok {
				t.Fatalf("no runner %s", id)
			}
			if !r.Available {
				t.Skipf("%s unavailable: %s", id, r.Unavailable)
			}
			if r.Version == "" || r.Name == "" || r.URL == "" {
				t.Errorf("metadata: %+v", r)
			}
			o := runReq(t, sb, r, Request{Code: []byte(r.HelloWorld.Code)})
			if o.res.Status != sandbox.Exited || o.res.Value != 0 || o.stdout != r.HelloWorld.Output {
				t.Errorf("%s %s: %v %d stdout %q stderr %q", id, r.Version, o.res.Status, o.res.Value, o.stdout, o.stderr)
			}
		})
	}
	// Every runner has a hello world; the list is sorted and complete.
	ids := []string{}
	for _, r := range s.List() {
		ids = append(ids, r.ID)
		if r.HelloWorld.Code == "" || r.HelloWorld.Output == "" {
			t.Errorf("%s has no hello world", r.ID)
		}
	}
	if len(ids) != len(required) {
		t.Errorf("runners %v", ids)
	}
}

func TestSeedCExampleWithOption(t *testing.T) {
	s, sb := testSet(t)
	r, _ := s.Lookup("c_gcc")
	if !r.Available {
		t.Skip(r.Unavailable)
	}
	o := runReq(t, sb, r, Request{Code: []byte(`main(){printf("%d",a);}`), Options: []string{"-Da=42"}})
	if o.stdout != "42" || o.res.Status != sandbox.Exited || o.res.Value != 0 {
		t.Errorf("got %q %+v stderr %q", o.stdout, o.res, o.stderr)
	}
	// A compile error: the compiler's status and message.
	o = runReq(t, sb, r, Request{Code: []byte(`int main(){ return }`)})
	if o.res.Value == 0 || !strings.Contains(o.stderr, "error") || o.stdout != "" {
		t.Errorf("compile error: %+v %q", o.res, o.stderr)
	}
}

func TestOptionsArgumentsInput(t *testing.T) {
	s, sb := testSet(t)
	cases := []struct {
		id, code string
		opts     []string
		want     string
	}{
		{"python", "import sys\nprint(sys.argv[1:], sys.stdin.read().strip(), sys.flags.optimize)", []string{"-O"}, "['a b', '--c'] in 1\n"},
		{"bash", `echo "$@" "$(cat)" $-`, []string{"-e"}, "a b --c in ehB\n"},
		{"javascript_node", `console.log(process.argv.slice(2).join("|"), require("fs").readFileSync(0, "utf8").trim())`, []string{"--no-warnings"}, "a b|--c in\n"},
		{"c_gcc", "#include <stdio.h>\nint main(int c, char **v){char b[9]; scanf(\"%8s\", b); printf(\"%s %s %s %d\\n\", v[1], v[2], b, X);}", []string{"-DX=7", "-O2"}, "a b --c in 7\n"},
		{"perl", `print join("|", @ARGV), " ", scalar(<STDIN>);`, []string{"-w"}, "a b|--c in\n"},
	}
	for _, c := range cases {
		r, _ := s.Lookup(c.id)
		if !r.Available {
			t.Logf("%s unavailable: %s", c.id, r.Unavailable)
			continue
		}
		o := runReq(t, sb, r, Request{Code: []byte(c.code), Options: c.opts, Arguments: []string{"a b", "--c"}, Input: []byte("in\n")})
		if o.stdout != c.want {
			t.Errorf("%s: %q (stderr %q), want %q", c.id, o.stdout, o.stderr, c.want)
		}
	}
}

func TestUnavailableAndBadRequests(t *testing.T) {
	rs := builtin(Options{GoRoot: "/nonexistent"})
	set := newSet(rs)
	r, _ := set.Lookup("go")
	if r.Available {
		t.Fatal("go available without a probe")
	}
	r.Unavailable = "/nonexistent/bin/go is not installed"
	if _, err := r.Spec(Request{Code: []byte("x")}); !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "not installed") {
		t.Errorf("unavailable: %v", err)
	}
	if _, ok := set.Lookup("Python"); ok {
		t.Error("lookup is case-insensitive")
	}
	r, _ = set.Lookup("python")
	r.Available = true
	if _, err := r.Spec(Request{Files: []sandbox.File{{Path: "code.py"}}}); err == nil {
		t.Error("a file replacing the code accepted")
	}
}

func TestAsymptoteDrawsSVG(t *testing.T) {
	s, sb := testSet(t)
	r, _ := s.Lookup("asymptote")
	if !r.Available {
		t.Skip(r.Unavailable)
	}
	o := runReq(t, sb, r, Request{Code: []byte("size(2cm); draw(unitcircle);")})
	if o.res.Status != sandbox.Exited || o.res.Value != 0 || len(o.res.Files) != 1 || !bytes.Contains(o.res.Files[0].Data, []byte("<svg")) {
		t.Fatalf("%+v %q %q", o.res, o.stdout, o.stderr)
	}
	// -noglobalread: no reading outside the work directory.
	o = runReq(t, sb, r, Request{Code: []byte(`file f = input("/etc/passwd"); write(f);`)})
	if o.res.Value == 0 || strings.Contains(o.stdout, "root:") {
		t.Errorf("asy read /etc/passwd: %q %q", o.stdout, o.stderr)
	}
	_ = os.Stdout
}

// A code file may be named as the client names it, where the language
// hands it to an interpreter; its messages then use that name.
func TestCodeFileName(t *testing.T) {
	s, sb := testSet(t)
	r, _ := s.Lookup("python")
	if !r.Available {
		t.Skip(r.Unavailable)
	}
	o := runReq(t, sb, r, Request{Code: []byte("import sys; print(sys.argv[0]); raise SystemExit('boom')"), Name: "hello.py"})
	if o.stdout != "hello.py\n" || o.res.Value != 1 {
		t.Errorf("renamed code: %+v %q %q", o.res, o.stdout, o.stderr)
	}
	for _, name := range []string{"x.txt", "a/b.py", "..", "-c.py", ".py", "x.py\x00"} {
		if _, err := r.Spec(Request{Code: []byte("1"), Name: name}); err == nil || !strings.Contains(err.Error(), "plain name") {
			t.Errorf("name %q: %v", name, err)
		}
	}
	if _, err := r.Spec(Request{Code: []byte("1"), Name: "x.py", Files: []sandbox.File{{Path: "x.py"}}}); err == nil {
		t.Error("a file replacing the renamed code accepted")
	}
	c, _ := s.Lookup("c_gcc")
	c.Available = true
	if _, err := c.Spec(Request{Code: []byte("1"), Name: "main.c"}); err == nil || !strings.Contains(err.Error(), "cannot be renamed") {
		t.Errorf("renamed C: %v", err)
	}
	if spec, err := c.Spec(Request{Code: []byte("1"), Name: "code.c"}); err != nil || spec.Files[0].Path != "code.c" {
		t.Errorf("C under its own name: %v", err)
	}
}

// Asymptote's shell answers commands read from standard input; other
// languages have none.
func TestAsymptoteShell(t *testing.T) {
	s, sb := testSet(t)
	r, _ := s.Lookup("asymptote")
	if !r.Available {
		t.Skip(r.Unavailable)
	}
	o := runReq(t, sb, r, Request{Shell: true, Input: []byte("write(1+2);\nwrite(\"x\" + \"y\");\n"), Options: []string{"-f", "pdf"}})
	if o.res.Status != sandbox.Exited || o.res.Value != 0 || !strings.Contains(o.stdout, "3\n") || !strings.Contains(o.stdout, "xy\n") {
		t.Errorf("shell: %+v %q %q", o.res, o.stdout, o.stderr)
	}
	if _, err := r.Spec(Request{Shell: true, Code: []byte("write(1);")}); err == nil {
		t.Error("a shell with code accepted")
	}
	p, _ := s.Lookup("python")
	p.Available = true
	if _, err := p.Spec(Request{Shell: true}); !errors.Is(err, ErrNoShell) {
		t.Errorf("python shell: %v", err)
	}
}

// File and Command say how a runner runs its code, for people.
func TestFileAndCommand(t *testing.T) {
	s, _ := testSet(t)
	for id, want := range map[string]string{
		"python":       "/usr/bin/python3 code.py",
		"c_gcc":        "/bin/bash -c 'gcc ",
		"java_openjdk": "/usr/bin/java -XX:MaxRAM=536870912 -XX:+UseSerialGC code.java",
	} {
		r, _ := s.Lookup(id)
		if got := r.Command(); !strings.HasPrefix(got, want) || strings.Contains(got, "opts") || strings.Contains(got, `"$@"`) {
			t.Errorf("%s: Command() = %q, want it to start with %q, without placeholders", id, got, want)
		}
	}
	r, _ := s.Lookup("c_gcc")
	if r.File() != "code.c" || !strings.HasSuffix(r.Command(), "code.c -o /tmp/program -lm && exec /tmp/program'") {
		t.Errorf("c_gcc: %q %q", r.File(), r.Command())
	}
}
