package bench

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pid1/pid1/internal/reaper"
	"github.com/pid1/pid1/runners"
	"github.com/pid1/pid1/sandbox"
)

// The sandbox benchmarks: start-to-exit of `true` in a sandboxed run
// against the same program started bare and under bubblewrap, and a
// Python hello world run by 8 concurrent callers, sandboxed and bare.
// Every process goes through one reaper (bare ones too), as in pid1.

// newReaper starts a reaper; stop ends it.
func newReaper() (r *reaper.Reaper, stop func()) {
	r = reaper.New(reaper.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { r.Run(ctx) })
	return r, func() { cancel(); wg.Wait() }
}

// newSandbox starts a sandbox whose helper is helper ("" for the running
// binary itself).
func newSandbox(b B, helper string, maxRuns int) (*sandbox.Sandbox, func()) {
	r, stop := newReaper()
	s, err := sandbox.New(sandbox.Config{Reaper: r, HelperPath: helper, MaxRuns: maxRuns})
	if err != nil {
		stop()
		b.Fatal(err)
	}
	return s, func() { s.Close(); stop() }
}

// SandboxTrue times `true` in the sandbox, start to exit, one run at a
// time; helper is the helper binary ("" for this one).
func SandboxTrue(helper string) func(B, int) {
	return func(b B, n int) {
		s, done := newSandbox(b, helper, 1)
		defer done()
		b.ResetTimer()
		for range n {
			res, err := s.Run(context.Background(), sandbox.Spec{Argv: []string{"/bin/true"}})
			if err != nil || res.Status != sandbox.Exited || res.Value != 0 {
				b.Fatalf("%+v %v", res, err)
			}
		}
	}
}

// spawnWait starts argv through r and waits for it to exit 0.
func spawnWait(b B, r *reaper.Reaper, argv []string, dir string) {
	p, err := r.Spawn(reaper.Spec{Path: argv[0], Args: argv, Env: []string{"PATH=" + sandbox.DefaultPath}, Dir: dir})
	if err != nil {
		b.Fatal(err)
	}
	st, err := p.Wait(context.Background())
	if err != nil || st.Code != 0 {
		b.Fatalf("%v: %v %v", argv, st, err)
	}
}

// BareTrue is the baseline: fork/exec of `true` and its wait.
func BareTrue(b B, n int) {
	r, stop := newReaper()
	defer stop()
	for range n {
		spawnWait(b, r, []string{"/bin/true"}, "")
	}
}

// BwrapTrue is the other baseline: Debian's bubblewrap with every
// namespace, running `true` in a read-only view of /.
func BwrapTrue(b B, n int) {
	bwrap, err := exec.LookPath("bwrap")
	if err != nil {
		b.Fatal("bwrap is not installed (scripts/test-deps.sh installs bubblewrap)")
	}
	r, stop := newReaper()
	defer stop()
	for range n {
		spawnWait(b, r, []string{bwrap, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "/bin/true"}, "")
	}
}

// Callers is how many goroutines run Python at once in the throughput
// benchmarks.
const Callers = 8

// concurrently runs one(i) n times in total from Callers goroutines and
// reports runs/s.
func concurrently(b B, n int, one func() error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, Callers)
	start := time.Now()
	for range Callers {
		wg.Go(func() {
			for next.Add(1) <= int64(n) {
				if err := one(); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	el := time.Since(start)
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
	b.ReportMetric(float64(n)/el.Seconds(), "runs/s")
}

// SandboxPython runs the python runner's hello world from 8 callers, with
// as many concurrent runs allowed.
func SandboxPython(helper string) func(B, int) {
	return func(b B, n int) {
		s, done := newSandbox(b, helper, Callers)
		defer done()
		set := runners.Default(context.Background(), s, runners.Options{})
		py, ok := set.Lookup("python")
		if !ok || !py.Available {
			b.Fatalf("python runner unavailable: %s", py.Unavailable)
		}
		b.ResetTimer()
		concurrently(b, n, func() error {
			spec, err := py.Spec(runners.Request{Code: []byte(py.HelloWorld.Code)})
			if err != nil {
				return err
			}
			res, err := s.Run(context.Background(), spec)
			if err == nil && (res.Status != sandbox.Exited || res.Value != 0) {
				b.Fatalf("python: %+v", res)
			}
			return err
		})
	}
}

// BarePython is the baseline: the same program file, started bare by 8
// callers.
func BarePython(b B, n int) { python(b, n, nil) }

// BwrapPython is the peer: the same program file, each run under
// bubblewrap with every namespace, from 8 callers.
func BwrapPython(b B, n int) {
	bwrap, err := exec.LookPath("bwrap")
	if err != nil {
		b.Fatal("bwrap is not installed (scripts/test-deps.sh installs bubblewrap)")
	}
	python(b, n, []string{bwrap, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "--chdir"})
}

// python runs python3 code.py from 8 callers in a directory holding the
// hello world, each run started with prefix and the directory (nil: bare).
func python(b B, n int, prefix []string) {
	dir, err := os.MkdirTemp("", "bench-python-")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "code.py"), []byte(`print("Hello, World!")`), 0o644); err != nil {
		b.Fatal(err)
	}
	argv := []string{"/usr/bin/python3", "code.py"}
	if prefix != nil {
		argv = append(append(append([]string{}, prefix...), dir), argv...)
	}
	r, stop := newReaper()
	defer stop()
	b.ResetTimer()
	concurrently(b, n, func() error {
		spawnWait(b, r, argv, dir)
		return nil
	})
}
