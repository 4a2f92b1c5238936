//go:build linux

package sandbox

import (
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

func TestEightConcurrentRunsDoNotSeeEachOther(t *testing.T) {
	s := newTestSandbox(t, Config{MaxRuns: 8})
	var wg sync.WaitGroup
	outs := make([]output, 8)
	errs := make([]error, 8)
	for i := range 8 {
		wg.Go(func() {
			// Each run leaves a mark, waits for the others to be running,
			// then looks around.
			script := fmt.Sprintf(`echo %d > /work/mine; echo %d > /tmp/mine; echo %d > /dev/shm/mine; sleep 1
cat /work/mine /tmp/mine /dev/shm/mine; (ls -A /work; ls -A /tmp; ls -A /dev/shm) | sort -u | tr '\n' ' '; echo
ls /proc | grep -cE '^[0-9]+$'; cat /proc/self/uid_map`, i, i, i)
			outs[i], errs[i] = tryRun(s, Spec{Files: []File{{Path: "given", Data: []byte(strconv.Itoa(i))}}}, "/bin/sh", "-c", script)
		})
	}
	wg.Wait()
	uids := map[string]bool{}
	for i, o := range outs {
		if errs[i] != nil {
			t.Fatalf("run %d: %v", i, errs[i])
		}
		lines := strings.Split(strings.TrimSpace(o.stdout), "\n")
		want := []string{strconv.Itoa(i), strconv.Itoa(i), strconv.Itoa(i), "given mine"}
		if len(lines) != 6 || strings.Join(lines[:3], " ") != strings.Join(want[:3], " ") || strings.TrimSpace(lines[3]) != want[3] {
			t.Errorf("run %d saw %q", i, o.stdout)
			continue
		}
		if n, _ := strconv.Atoi(lines[4]); n > 6 {
			t.Errorf("run %d sees %d processes", i, n)
		}
		uids[strings.Fields(lines[5])[1]] = true
	}
	if len(uids) != 8 {
		t.Errorf("8 concurrent runs used %d host uids: %v", len(uids), uids)
	}
	noSurvivors(t, s)
}

func TestQueueAndQueueFull(t *testing.T) {
	s := newTestSandbox(t, Config{MaxRuns: 1, MaxQueue: 1})
	release := make(chan struct{})
	var wg sync.WaitGroup
	results := make([]error, 2)
	for i := range 2 { // one running, one waiting
		wg.Go(func() {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go func() { <-release; cancel() }()
			_, results[i] = s.Run(ctx, Spec{Argv: []string{"sleep", "100"}})
		})
		// Let the first take the slot before the second queues.
		poll(t, 10*time.Second, "queue to fill", func() bool {
			return i == 0 && len(s.slots) == 0 || i == 1 && s.waiting.Load() == 1
		})
	}
	if _, err := tryRun(s, Spec{}, "true"); !errors.Is(err, ErrQueueFull) {
		t.Errorf("third run: %v, want ErrQueueFull", err)
	}
	close(release)
	wg.Wait()
	// The running one was killed by its context; the queued one ended
	// while waiting, or ran and was killed.
	for i, err := range results {
		if err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("run %d: %v", i, err)
		}
	}
	o := sh(t, s, "echo free")
	if o.stdout != "free\n" {
		t.Errorf("after the queue drained: %q", o.stdout)
	}
}

func TestStdinAndFiles(t *testing.T) {
	s := newTestSandbox(t, Config{})
	o := run(t, s, Spec{
		Stdin: strings.NewReader("from stdin\n"),
		Files: []File{{Path: "sub/dir/prog.sh", Data: []byte("cat; echo \"$1\"; exit 3\n"), Mode: 0o755}},
		Env:   []string{"GREETING=hi"},
	}, "/bin/sh", "-c", `./sub/dir/prog.sh "$GREETING"; echo rc=$?; test -x sub/dir/prog.sh && echo exec`)
	expect(t, o, Exited, 0)
	if o.stdout != "from stdin\nhi\nrc=3\nexec\n" {
		t.Errorf("got %q %q", o.stdout, o.stderr)
	}
	// No stdin reads EOF at once.
	o = run(t, s, Spec{}, "cat")
	expect(t, o, Exited, 0)
	// Exit codes and signals.
	expect(t, sh(t, s, "exit 7"), Exited, 7)
	expect(t, sh(t, s, "kill -TERM $$"), Killed, 15)
	o = sh(t, s, "env")
	for _, want := range []string{"PATH=" + DefaultPath, "HOME=/work", "TMPDIR=/tmp"} {
		if !strings.Contains(o.stdout, want+"\n") {
			t.Errorf("env lacks %s: %q", want, o.stdout)
		}
	}
	if strings.Contains(o.stdout, "_PID1") || strings.Contains(o.stdout, "GOROOT") {
		t.Errorf("pid1's environment leaks in: %q", o.stdout)
	}
}

// A request bigger than the C helper's allocation arena (1 MiB; a block
// that does not fit gets pages of its own) is read whole: its files
// arrive byte for byte.
func TestLargeFilesArriveWhole(t *testing.T) {
	s := newTestSandbox(t, Config{})
	var files []File
	var want strings.Builder
	for i, size := range []int{3 << 20, 700 << 10, 1<<20 + 1} {
		data := make([]byte, size)
		for j := range data {
			data[j] = byte(j*7 + i)
		}
		name := fmt.Sprintf("f%d", i)
		files = append(files, File{Path: name, Data: data})
		fmt.Fprintf(&want, "%x  %s\n", md5.Sum(data), name)
	}
	o := run(t, s, Spec{Files: files}, "md5sum", "f0", "f1", "f2")
	expect(t, o, Exited, 0)
	if o.stdout != want.String() {
		t.Errorf("md5sum in the run: %q, want %q (stderr %q)", o.stdout, want.String(), o.stderr)
	}
}

func TestBadSpecsAndStartFailures(t *testing.T) {
	s := newTestSandbox(t, Config{})
	for name, spec := range map[string]Spec{
		"empty argv":      {},
		"NUL in argv":     {Argv: []string{"echo", "a\x00b"}},
		"NUL in env":      {Argv: []string{"true"}, Env: []string{"A=\x00"}},
		"env without =":   {Argv: []string{"true"}, Env: []string{"A"}},
		"relative dir":    {Argv: []string{"true"}, Dir: "work"},
		"duplicate file":  {Argv: []string{"true"}, Files: []File{{Path: "a"}, {Path: "a"}}},
		"mode bits":       {Argv: []string{"true"}, Files: []File{{Path: "a", Mode: 0o170000}}},
		"bind to root":    {Argv: []string{"true"}, Binds: []Bind{{Source: "/usr", Target: "/"}}},
		"relative bind":   {Argv: []string{"true"}, Binds: []Bind{{Source: "usr", Target: "/x"}}},
		"negative limit":  {Argv: []string{"true"}, Limits: Limits{Memory: -1}},
		"files too large": {Argv: []string{"true"}, Limits: Limits{Tmpfs: 10}, Files: []File{{Path: "a", Data: make([]byte, 11)}}},
	} {
		if _, err := s.Run(context.Background(), spec); !errors.Is(err, ErrBadSpec) {
			t.Errorf("%s: %v, want ErrBadSpec", name, err)
		}
	}
	for _, argv := range [][]string{{"no-such-program"}, {"/no/such/file"}, {"/etc/passwd"}} {
		if _, err := s.Run(context.Background(), Spec{Argv: argv}); !errors.Is(err, ErrStart) {
			t.Errorf("%q: %v, want ErrStart", argv, err)
		}
	}
	if _, err := s.Run(context.Background(), Spec{Argv: []string{"true"}, Binds: []Bind{{Source: "/no/such", Target: "/x"}}}); !errors.Is(err, ErrStart) {
		t.Errorf("missing bind source: %v", err)
	}
	noSurvivors(t, s)
}

func TestBinds(t *testing.T) {
	dir := t.TempDir()
	s := newTestSandbox(t, Config{})
	// The source must be reachable by the run's host uid.
	if err := chmodPath(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	o := run(t, s, Spec{Binds: []Bind{{Source: dir, Target: "/work/ws", Writable: true}, {Source: dir, Target: "/ro"}}},
		"/bin/sh", "-c", "echo hi > /work/ws/f && cat /ro/f && (echo x > /ro/g) 2>/dev/null || echo ro")
	expect(t, o, Exited, 0)
	if o.stdout != "hi\nro\n" {
		t.Errorf("binds: %q %q", o.stdout, o.stderr)
	}
}

// poll calls cond until it is true or d passes.
func poll(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestOverlayBind(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "base"), []byte("lower\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := chmodPath(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s := newTestSandbox(t, Config{})
	o := run(t, s, Spec{Binds: []Bind{{Source: dir, Target: "/cache", Overlay: true}}},
		"/bin/sh", "-c", "cat /cache/base; echo new > /cache/new; rm /cache/base; cat /cache/new; ls /cache")
	expect(t, o, Exited, 0)
	if o.stdout != "lower\nnew\nnew\n" {
		t.Errorf("inside: %q %q", o.stdout, o.stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "base")); string(b) != "lower\n" {
		t.Errorf("the source changed: %q", b)
	}
	if _, err := os.Stat(filepath.Join(dir, "new")); err == nil {
		t.Error("a file written in the overlay reached the source")
	}
}

func TestMetrics(t *testing.T) {
	s := newTestSandbox(t, Config{})
	sh(t, s, "true")
	run(t, s, Spec{Limits: Limits{Wall: 200 * time.Millisecond}}, "sleep", "5")
	reg := prometheus.NewRegistry()
	reg.MustRegister(s.Collectors()...)
	var buf strings.Builder
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			fmt.Fprintf(&buf, "%s{%s} %v %v\n", mf.GetName(), strings.Join(labels, ","), m.GetGauge().GetValue(), m.GetCounter().GetValue())
		}
	}
	out := buf.String()
	for _, want := range []string{"pid1_sandbox_mode{mode=" + s.Mode() + "} 1 0", "pid1_sandbox_runs_total{limit=time} 0 1", "pid1_sandbox_runs_running{} 0 0"} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %q:\n%s", want, out)
		}
	}
}
