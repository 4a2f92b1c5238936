//go:build linux

package reaper

// The tests in this file run the Reaper as a real PID 1: the test binary
// re-executes itself under unshare(1) in a new user and pid namespace, where
// TestHelperPID1 runs one scenario and prints "REAPER ..." lines. The outer
// test asserts on those lines, on the exit status, and on /proc as seen from
// outside the namespace.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// scenarioEnv selects the scenario TestHelperPID1 runs.
const scenarioEnv = "REAPER_TEST_PID1_SCENARIO"

// helperTimeout bounds one scenario end to end.
const helperTimeout = 60 * time.Second

// unshareArgs returns the unshare command line prefix, or skips the test if
// this kernel or sandbox does not allow unprivileged pid namespaces.
func unshareArgs(t *testing.T) []string {
	t.Helper()
	path, err := exec.LookPath("unshare")
	if err != nil {
		t.Skip("unshare(1) not found; install util-linux to run the PID 1 tests")
	}
	base := []string{path, "--user", "--map-root-user", "--pid", "--fork"}
	var last []byte
	// --kill-child (util-linux 2.32+) SIGKILLs the namespace if unshare
	// dies, so a crashed test leaves nothing behind.
	for _, extra := range [][]string{{"--kill-child"}, nil} {
		args := append(append([]string{}, base...), extra...)
		out, err := exec.Command(args[0], append(args[1:], "true")...).CombinedOutput()
		if err == nil {
			return args
		}
		last = out
	}
	t.Skipf("cannot create a user+pid namespace with unshare (%s); the PID 1 tests need unprivileged user namespaces", bytes.TrimSpace(last))
	return nil
}

// helper is one run of TestHelperPID1, normally inside a fresh pid
// namespace.
type helper struct {
	t      *testing.T
	direct bool // no namespace: the helper is our child, not unshare's
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan string
	mu     sync.Mutex
	output bytes.Buffer // everything the helper printed, for failures
}

// startHelper runs a scenario as PID 1 of a new namespace, or, for
// "subreaper", as a plain child of this test.
func startHelper(t *testing.T, scenario string) *helper {
	t.Helper()
	direct := scenario == "subreaper"
	var args []string
	if !direct {
		args = unshareArgs(t)
	}
	args = append(args, os.Args[0], "-test.run=^TestHelperPID1$", "-test.count=1", "-test.v",
		"-test.timeout="+helperTimeout.String())
	h := &helper{t: t, direct: direct, lines: make(chan string, 100)}
	h.cmd = exec.Command(args[0], args[1:]...)
	h.cmd.Env = append(os.Environ(), scenarioEnv+"="+scenario)
	h.cmd.Stderr = &lockedWriter{mu: &h.mu, w: &h.output}
	var err error
	if h.stdin, err = h.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := h.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := h.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		// Ends when the helper exits and closes its stdout; Wait in
		// finish joins it (StdoutPipe's contract).
		defer close(h.lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			h.mu.Lock()
			h.output.WriteString(sc.Text() + "\n")
			h.mu.Unlock()
			if rest, ok := strings.CutPrefix(sc.Text(), "REAPER "); ok {
				h.lines <- rest
			}
		}
	}()
	t.Cleanup(func() {
		if h.cmd.ProcessState == nil {
			_ = h.cmd.Process.Kill()
			_ = h.cmd.Wait()
		}
	})
	return h
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func (h *helper) dump() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.output.String()
}

// expect waits for the next REAPER line starting with word and returns
// the rest as key=value pairs.
func (h *helper) expect(word string) map[string]string {
	h.t.Helper()
	timeout := time.After(helperTimeout)
	for {
		select {
		case line, ok := <-h.lines:
			if !ok {
				h.t.Fatalf("helper ended before %q; output:\n%s", word, h.dump())
			}
			fields := strings.Fields(line)
			if len(fields) == 0 || fields[0] != word {
				continue
			}
			kv := make(map[string]string)
			for _, f := range fields[1:] {
				k, v, _ := strings.Cut(f, "=")
				kv[k] = v
			}
			return kv
		case <-timeout:
			h.t.Fatalf("no %q from helper after %v; output:\n%s", word, helperTimeout, h.dump())
		}
	}
}

// innerPID1 is the namespace's PID 1 as seen from here: unshare's child
// (or the subreaper helper itself).
func (h *helper) innerPID1() int {
	h.t.Helper()
	if h.direct {
		return h.cmd.Process.Pid
	}
	var pid int
	poll(h.t, 10*time.Second, "unshare's child", func() bool {
		cs := childrenOf(h.cmd.Process.Pid)
		if len(cs) == 1 {
			pid = cs[0].Pid
		}
		return pid != 0
	})
	return pid
}

// checkNoZombies looks at the inner PID 1's children from outside the
// namespace: none may be a zombie, and if empty is set there may be none.
func (h *helper) checkNoZombies(pid1 int, empty bool) {
	h.t.Helper()
	cs := childrenOf(pid1)
	for _, c := range cs {
		if c.State == "Z" {
			h.t.Errorf("zombie under PID 1 seen from outside: %+v", c)
		}
	}
	if empty && len(cs) > 0 {
		h.t.Errorf("PID 1 still has %d children seen from outside: %+v", len(cs), cs)
	}
}

// finish lets the helper exit and returns its exit code.
func (h *helper) finish() int {
	h.t.Helper()
	_, _ = io.WriteString(h.stdin, "exit\n")
	_ = h.stdin.Close()
	for range h.lines {
	}
	err := h.cmd.Wait()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		h.t.Fatalf("waiting for unshare: %v", err)
	}
	return h.cmd.ProcessState.ExitCode()
}

// runScenario runs a scenario that ends with a CHECK handshake and a
// clean exit, and returns its RESULT line.
func runScenario(t *testing.T, scenario string) map[string]string {
	h := startHelper(t, scenario)
	pid1 := h.innerPID1()
	res := h.expect("RESULT")
	h.expect("CHECK")
	h.checkNoZombies(pid1, true)
	if code := h.finish(); code != 0 {
		t.Fatalf("helper exited %d; output:\n%s", code, h.dump())
	}
	t.Logf("%s: %v", scenario, res)
	return res
}

func atoiT(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("bad number %q", s)
	}
	return n
}

// TestPID1Orphans (scenario a): 100 grandchildren orphaned to PID 1 are all
// collected; nothing, and no zombie, is left in the namespace.
func TestPID1Orphans(t *testing.T) {
	res := runScenario(t, "orphans")
	if n := atoiT(t, res["orphans"]); n < 100 {
		t.Errorf("collected %d orphans, want at least 100", n)
	}
	if res["left"] != "0" {
		t.Errorf("%s processes left in the namespace", res["left"])
	}
}

// TestSubreaperOrphans: the same 100 orphans, collected by a helper that
// is not PID 1 but has called SetSubreaper. Needs no namespaces.
func TestSubreaperOrphans(t *testing.T) {
	res := runScenario(t, "subreaper")
	if n := atoiT(t, res["orphans"]); n < 100 {
		t.Errorf("collected %d orphans, want at least 100", n)
	}
	if res["left"] != "0" {
		t.Errorf("%s processes left below the subreaper", res["left"])
	}
}

// TestPID1StatusesUnderChurn (scenario b): 300 exit statuses are exact
// while an orphan factory keeps wait4(-1) busy with strangers.
func TestPID1StatusesUnderChurn(t *testing.T) {
	res := runScenario(t, "churn")
	if res["wrong"] != "0" || res["ok"] != "300" {
		t.Errorf("statuses: %v", res)
	}
	if atoiT(t, res["orphans"]) == 0 {
		t.Error("the orphan factory produced no orphans; the test proves nothing")
	}
}

// TestPID1Terminate (scenario c): SIGTERM reaches everything, the process
// that handles it exits by itself, the one that ignores it is SIGKILLed
// after the grace period, and Terminate returns within grace + 1s.
func TestPID1Terminate(t *testing.T) {
	res := runScenario(t, "terminate")
	if res["graceful"] != "exit_status_0" || res["graceful_file"] != "yes" {
		t.Errorf("TERM-handling child: %v", res)
	}
	if res["stubborn"] != "signal:_killed" {
		t.Errorf("TERM-ignoring child: %v", res)
	}
	if res["orphan"] != "gone" {
		t.Errorf("orphan outside any live group: %v", res)
	}
	ms := atoiT(t, res["ms"])
	if ms < 500 || ms > 1500 {
		t.Errorf("Terminate took %dms, want 500..1500", ms)
	}
}

// TestPID1ExitCodeOnSIGTERM (scenario d): SIGTERM sent from outside to the
// namespace's PID 1 makes it stop its children and exit 128+15, which
// unshare passes on.
func TestPID1ExitCodeOnSIGTERM(t *testing.T) {
	h := startHelper(t, "sigterm")
	pid1 := h.innerPID1()
	h.expect("READY")
	h.checkNoZombies(pid1, false)
	if n := len(childrenOf(pid1)); n < 2 {
		t.Errorf("PID 1 has %d children before SIGTERM, want the child and the orphan", n)
	}
	if err := syscall.Kill(pid1, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	res := h.expect("RESULT")
	if code := h.finish(); code != 143 {
		t.Errorf("unshare exited %d, want 143; output:\n%s", code, h.dump())
	}
	if res["child"] != "signal:_terminated" || res["left"] != "0" {
		t.Errorf("after SIGTERM: %v", res)
	}
}

// TestHelperPID1 is not a test: it is the program the PID 1 tests run
// inside the namespace.
func TestHelperPID1(t *testing.T) {
	scenario := os.Getenv(scenarioEnv)
	if scenario == "" {
		t.Skip("helper for the TestPID1* tests; runs only as PID 1 under unshare")
	}
	if scenario == "subreaper" {
		if err := SetSubreaper(); err != nil {
			t.Fatal(err)
		}
	} else if !IsPID1() {
		t.Fatalf("helper is pid %d, not PID 1", os.Getpid())
	}
	ctx, cancel := context.WithTimeout(context.Background(), helperTimeout)
	defer cancel()
	r := New(Options{ReapAll: true})
	var wg sync.WaitGroup
	wg.Go(func() { r.Run(ctx) })
	defer func() { cancel(); wg.Wait() }()

	s := &scenarioEnvT{t: t, r: r, ctx: ctx, sh: lookPath(t, "sh")}
	switch scenario {
	case "orphans", "subreaper":
		s.orphans()
	case "churn":
		s.churn()
	case "terminate":
		s.terminate()
	case "sigterm":
		s.sigterm() // exits the process
	default:
		t.Fatalf("unknown scenario %q", scenario)
	}
	// Let the outer test look at us from outside before we exit.
	fmt.Println("REAPER CHECK")
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
}

type scenarioEnvT struct {
	t   *testing.T
	r   *Reaper
	ctx context.Context
	sh  string
}

func (s *scenarioEnvT) spawnSh(script string) *Process {
	s.t.Helper()
	p, err := s.r.Spawn(Spec{Path: s.sh, Args: []string{"sh", "-c", script}})
	if err != nil {
		s.t.Fatal(err)
	}
	return p
}

func (s *scenarioEnvT) wait(p *Process) Status {
	s.t.Helper()
	st, err := p.Wait(s.ctx)
	if err != nil {
		s.t.Fatalf("pid %d: %v", p.Pid, err)
	}
	return st
}

// awaitEmpty polls /proc until we have no descendants left, which for
// PID 1 means the namespace is empty, and returns how many are left.
func (s *scenarioEnvT) awaitEmpty() int {
	self := selfPid()
	deadline := time.Now().Add(20 * time.Second)
	for {
		left := descendants(self)
		if len(left) == 0 {
			return 0
		}
		if time.Now().After(deadline) {
			s.t.Errorf("still in the namespace: %+v", left)
			return len(left)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// orphans is scenario a.
func (s *scenarioEnvT) orphans() {
	// Each ( ... &) subshell exits at once, so its sleep is reparented
	// to us; the shell itself collects the subshells.
	p := s.spawnSh(`for i in $(seq 100); do (sleep 0.$((i % 5 + 1)) &); done`)
	if st := s.wait(p); st.Code != 0 {
		s.t.Errorf("orphan maker: %v", st)
	}
	left := s.awaitEmpty()
	// The last orphan leaves /proc when wait4 reaps it, a moment before
	// the reaper counts it.
	for deadline := time.Now().Add(5 * time.Second); s.r.Orphans() < 100 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	fmt.Printf("REAPER RESULT orphans=%d left=%d live=%d\n", s.r.Orphans(), left, len(s.r.Live()))
}

// churn is scenario b.
func (s *scenarioEnvT) churn() {
	factory := s.spawnSh(`while :; do (true &); done`)
	const n = 300
	var ok, wrong int
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			code := i % 256
			p, err := s.r.Spawn(Spec{Path: s.sh, Args: []string{"sh", "-c", "exit " + strconv.Itoa(code)}})
			if err != nil {
				s.t.Error(err)
				return
			}
			st, err := p.Wait(s.ctx)
			mu.Lock()
			defer mu.Unlock()
			if err != nil || st.Code != code || st.Signal != 0 {
				wrong++
				s.t.Errorf("want exit %d, got %v err %v", code, st, err)
				return
			}
			ok++
		})
	}
	wg.Wait()
	if err := factory.SignalGroup(syscall.SIGKILL); err != nil {
		s.t.Error(err)
	}
	if st := s.wait(factory); st.Signal != syscall.SIGKILL {
		s.t.Errorf("factory: %v", st)
	}
	left := s.awaitEmpty()
	fmt.Printf("REAPER RESULT ok=%d wrong=%d orphans=%d left=%d\n", ok, wrong, s.r.Orphans(), left)
}

// terminate is scenario c.
func (s *scenarioEnvT) terminate() {
	dir := s.t.TempDir()
	file := func(name string) string { return filepath.Join(dir, name) }
	graceful := s.spawnSh(`trap 'echo bye > ` + file("graceful.out") + `; exit 0' TERM; : > ` + file("graceful.ready") + `; while :; do sleep 0.05; done`)
	// trap "" is inherited by the sleeps, so the whole group ignores TERM.
	stubborn := s.spawnSh(`trap "" TERM; : > ` + file("stubborn.ready") + `; while :; do sleep 0.05; done`)
	// An orphan whose leader is gone: only a namespace-wide TERM reaches it.
	maker := s.spawnSh(`(sleep 1000 &); : > ` + file("orphan.ready"))
	s.wait(maker)
	for _, f := range []string{"graceful.ready", "stubborn.ready", "orphan.ready"} {
		poll(s.t, 10*time.Second, f, func() bool {
			_, err := os.Stat(file(f))
			return err == nil
		})
	}
	start := time.Now()
	s.r.Terminate(s.ctx, 500*time.Millisecond)
	ms := time.Since(start).Milliseconds()
	gst, sst := s.wait(graceful), s.wait(stubborn)
	_, err := os.Stat(file("graceful.out"))
	gotFile := "no"
	if err == nil {
		gotFile = "yes"
	}
	// kill(-1, 0) from PID 1 finds any process left in the namespace.
	orphan := "gone"
	if syscall.Kill(-1, 0) == nil {
		orphan = "alive"
	}
	left := s.awaitEmpty()
	fmt.Printf("REAPER RESULT ms=%d graceful=%s graceful_file=%s stubborn=%s orphan=%s left=%d\n",
		ms, under(gst), gotFile, under(sst), orphan, left)
}

// under makes a Status one field of a RESULT line.
func under(st Status) string { return strings.ReplaceAll(st.String(), " ", "_") }

// sigterm is scenario d: behave like pid1's main on SIGTERM.
func (s *scenarioEnvT) sigterm() {
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	child, err := s.r.Spawn(Spec{Path: lookPath(s.t, "sleep"), Args: []string{"sleep", "1000"}})
	if err != nil {
		s.t.Fatal(err)
	}
	s.wait(s.spawnSh(`(sleep 1000 &)`))
	fmt.Println("REAPER READY")
	select {
	case <-term:
	case <-s.ctx.Done():
		s.t.Fatal("no SIGTERM")
	}
	s.r.Terminate(s.ctx, 2*time.Second)
	st := s.wait(child)
	left := len(descendants(selfPid()))
	fmt.Printf("REAPER RESULT child=%s left=%d\n", under(st), left)
	os.Exit(128 + int(syscall.SIGTERM))
}
