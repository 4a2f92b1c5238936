//go:build linux

package sandbox

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/pid1/pid1/internal/reaper"
)

func TestMain(m *testing.M) {
	if base := os.Getenv(pid1ChildEnv); base != "" {
		os.Exit(pid1Child(base))
	}
	code := m.Run()
	if helperDir != "" {
		os.RemoveAll(helperDir)
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// The tests run their sandboxes with the small helper binary, built once:
// a race-instrumented test binary takes several times longer to start,
// once per run. TestTestBinaryAsHelper covers the binary as its own helper.
var (
	helperOnce sync.Once
	helperDir  string
	helperBin  string
)

func smallHelper(t testing.TB) string {
	helperOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sandbox-helper-")
		if err != nil {
			return
		}
		helperDir = dir
		bin := filepath.Join(dir, HelperName)
		cmd, err := HelperBuild(bin)
		if err != nil {
			fmt.Fprintf(os.Stderr, "building the helper failed, the tests use their own binary: %v\n", err)
			return
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building the helper failed, the tests use their own binary: %v: %v\n%s", cmd.Args, err, out)
			return
		}
		helperBin = bin
	})
	if helperBin == "" {
		return "/proc/self/exe"
	}
	return helperBin
}

// pid1ChildEnv makes the test binary play pid1 for TestPid1DeathKillsRuns:
// it starts a run that prints "started" and sleeps, and waits to be killed.
const pid1ChildEnv = "SANDBOX_TEST_PID1_UIDBASE"

func pid1Child(uidBase string) int {
	base, _ := strconv.Atoi(uidBase)
	r := reaper.New(reaper.Options{})
	go r.Run(context.Background())
	s, err := New(Config{Reaper: r, UIDBase: base, GIDBase: base, MaxRuns: 1, HelperPath: "/proc/self/exe"})
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		return 1
	}
	_, err = s.Run(context.Background(), Spec{Argv: []string{"/bin/sh", "-c", "sleep 100 & echo started; exec sleep 100"}, Stdout: os.Stdout})
	os.Stderr.WriteString(fmt.Sprint("the run ended: ", err, "\n"))
	return 1
}

// nextUID gives every test sandbox its own uid range, so that tests
// running in parallel can look for survivors by uid.
var nextUID atomic.Int64

// newTestSandbox returns a Sandbox on a running Reaper, both stopped when
// the test ends, with its own uid range.
func newTestSandbox(t testing.TB, cfg Config) *Sandbox {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("the sandbox tests run as root (as CI does)")
	}
	r := reaper.New(reaper.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { r.Run(ctx) })
	cfg.Reaper = r
	if cfg.HelperPath == "" {
		cfg.HelperPath = smallHelper(t)
	}
	if cfg.UIDBase == 0 {
		cfg.UIDBase = 300000 + int(nextUID.Add(1))*100
		cfg.GIDBase = cfg.UIDBase
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	s, err := New(cfg)
	if err != nil {
		cancel()
		wg.Wait()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		r.Terminate(context.Background(), 0)
		cancel()
		wg.Wait()
	})
	return s
}

// output is what a run printed.
type output struct {
	res            Result
	stdout, stderr string
}

// run runs argv (with spec's other fields) and fails the test on an error.
func run(t testing.TB, s *Sandbox, spec Spec, argv ...string) output {
	t.Helper()
	o, err := tryRun(s, spec, argv...)
	if err != nil {
		t.Fatalf("run %q: %v", argv, err)
	}
	return o
}

func tryRun(s *Sandbox, spec Spec, argv ...string) (output, error) {
	var out, errb bytes.Buffer
	if len(argv) > 0 {
		spec.Argv = argv
	}
	spec.Stdout, spec.Stderr = &out, &errb
	res, err := s.Run(context.Background(), spec)
	return output{res, out.String(), errb.String()}, err
}

// sh runs a shell script in the sandbox.
func sh(t testing.TB, s *Sandbox, script string) output {
	t.Helper()
	return run(t, s, Spec{}, "/bin/sh", "-c", script)
}

// processesOf lists the host pids whose real uid is in [lo, hi).
func processesOf(lo, hi int) []int {
	var pids []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "status"))
		if err != nil {
			continue
		}
		for line := range strings.SplitSeq(string(b), "\n") {
			if f := strings.Fields(line); len(f) > 1 && f[0] == "Uid:" {
				if uid, _ := strconv.Atoi(f[1]); uid >= lo && uid < hi {
					pids = append(pids, pid)
				}
			}
		}
	}
	return pids
}

// noSurvivors fails if any process of s's runs is alive. Run returns
// only once its namespace is empty, so there is nothing to wait for.
func noSurvivors(t testing.TB, s *Sandbox) {
	t.Helper()
	if left := processesOf(s.cfg.UIDBase, s.cfg.UIDBase+s.cfg.MaxRuns); len(left) > 0 {
		t.Errorf("processes of the sandbox's runs still alive after Run returned: %v", left)
	}
}

// expect checks a run's status.
func expect(t testing.TB, o output, st Status, value int) {
	t.Helper()
	if o.res.Status != st || o.res.Value != value {
		t.Fatalf("got %v %d, want %v %d\nresult %+v\nstdout %q\nstderr %q", o.res.Status, o.res.Value, st, value, o.res, o.stdout, o.stderr)
	}
}

// ctxTimeout bounds a test's run.
func ctxTimeout(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// chmodPath opens dir and its parents to others, as a bind source must be.
func chmodPath(dir string, mode os.FileMode) error {
	for d := dir; d != "/" && d != "."; d = filepath.Dir(d) {
		st, err := os.Stat(d)
		if err != nil {
			return err
		}
		if err := os.Chmod(d, st.Mode().Perm()|0o005&mode|0o001); err != nil {
			return err
		}
		if d == dir {
			if err := os.Chmod(d, mode); err != nil {
				return err
			}
		}
	}
	return nil
}

func TestPid1DeathKillsRuns(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("as root")
	}
	base := 300000 + int(nextUID.Add(1))*100
	cmd := exec.Command("/proc/self/exe", "-test.run=^$")
	cmd.Env = append(os.Environ(), pid1ChildEnv+"="+strconv.Itoa(base))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if line != "started\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the child's run: %q %v", line, err)
	}
	if n := len(processesOf(base, base+1)); n < 3 {
		t.Errorf("expected the helper and two sleeps alive, found %d processes", n)
	}
	// pid1 dies without a word: no Close, no context.
	cmd.Process.Kill()
	cmd.Wait()
	poll(t, 10*time.Second, "the run's processes to die with pid1", func() bool { return len(processesOf(base, base+1)) == 0 })
	// The next pid1 removes the cgroup the dead one left.
	s := newTestSandbox(t, Config{Cgroup: ModeCgroup1})
	left, _ := filepath.Glob(filepath.Join(s.cg.(*cgroup1).parents["pids"], fmt.Sprintf("run-%d-*", cmd.Process.Pid)))
	if len(left) != 0 {
		t.Errorf("leftover cgroups: %v", left)
	}
}
