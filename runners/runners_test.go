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
