//go:build linux

package sandbox

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestForkBombContainedByPids(t *testing.T) {
	s := newTestSandbox(t, Config{MaxRuns: 2})
	ctx := ctxTimeout(t, time.Minute)
	done := make(chan output, 1)
	go func() {
		o, _ := tryRun(s, Spec{Limits: Limits{Pids: 64, Wall: 3 * time.Second}}, "/bin/bash", "-c", "f(){ f|f& }; f; sleep 10")
		done <- o
	}()
	// The machine stays responsive: a second run completes meanwhile.
	time.Sleep(500 * time.Millisecond)
	start := time.Now()
	o := sh(t, s, "echo alive")
	if o.stdout != "alive\n" || time.Since(start) > 10*time.Second {
		t.Errorf("a run beside the fork bomb: %q after %v", o.stdout, time.Since(start))
	}
	select {
	case o = <-done:
	case <-ctx.Done():
		t.Fatal("the fork bomb's run did not end")
	}
	if o.res.Limit != LimitPids || !o.res.TimedOut || o.res.Status != Killed {
		t.Errorf("fork bomb: %+v", o.res)
	}
	noSurvivors(t, s)
}

func TestMemoryHogKilledNearLimit(t *testing.T) {
	s := newTestSandbox(t, Config{})
	if s.Mode() == ModeRlimits {
		t.Skip("no memory cgroup")
	}
	const limit = 64 << 20
	o := run(t, s, Spec{Limits: Limits{Memory: limit}}, "/usr/bin/python3", "-c", `
a = []
while True:
    a.append(bytearray(1 << 20))
`)
	expect(t, o, Killed, 9)
	if o.res.Limit != LimitMemory {
		t.Errorf("limit %q, want memory", o.res.Limit)
	}
	peak := o.res.MaxMemKiB << 10
	if peak < limit*9/10 || peak > limit*11/10 {
		t.Errorf("peak %d KiB, want about %d KiB", o.res.MaxMemKiB, limit>>10)
	}
	// tmpfs files count too: writing past the memory limit fails.
	o = run(t, s, Spec{Limits: Limits{Memory: limit}}, "/bin/sh", "-c", "head -c 100M /dev/zero > /tmp/big; echo rc=$?")
	if o.res.Limit != LimitMemory || strings.Contains(o.stdout, "rc=0") {
		t.Errorf("a 100 MiB tmpfs file under a 64 MiB limit: %+v %q", o.res, o.stdout)
	}
}

func TestCPUSpinStoppedAtWallLimit(t *testing.T) {
	s := newTestSandbox(t, Config{})
	start := time.Now()
	o := run(t, s, Spec{Limits: Limits{Wall: time.Second}}, "/bin/sh", "-c", "while :; do :; done")
	expect(t, o, Killed, 9)
	if !o.res.TimedOut || o.res.Limit != LimitTime {
		t.Errorf("spin: %+v", o.res)
	}
	// The limit counts from the program's start, not the sandbox's setup:
	// the program had all of its second.
	if o.res.Real < time.Second {
		t.Errorf("timed out after running %v of a 1 s limit", o.res.Real)
	}
	if o.res.User+o.res.Kernel < 50*time.Millisecond {
		t.Errorf("the spin used %v of CPU in a 1 s run", o.res.User+o.res.Kernel)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("run took %v", el)
	}
	noSurvivors(t, s)
}

func TestCPULimit(t *testing.T) {
	s := newTestSandbox(t, Config{})
	o := run(t, s, Spec{Limits: Limits{CPU: time.Second, Wall: 20 * time.Second}}, "/bin/sh", "-c", "while :; do :; done")
	if o.res.Limit != LimitCPU || o.res.TimedOut || (o.res.Status != Killed && o.res.Status != CoreDumped) {
		t.Errorf("cpu limit: %+v", o.res)
	}
}

func TestBackgroundGrandchildKilled(t *testing.T) {
	s := newTestSandbox(t, Config{MaxRuns: 1})
	start := time.Now()
	o := sh(t, s, "sleep 100 & setsid sleep 100 & (sleep 100 &) ; echo started")
	expect(t, o, Exited, 0)
	if o.stdout != "started\n" || time.Since(start) > 10*time.Second {
		t.Errorf("%q after %v", o.stdout, time.Since(start))
	}
	noSurvivors(t, s)
}

func TestCancelKillsRun(t *testing.T) {
	s := newTestSandbox(t, Config{MaxRuns: 1})
	ctx, cancel := context.WithCancel(context.Background())
	var out bytes.Buffer
	go func() {
		time.Sleep(300 * time.Millisecond)
		cancel()
	}()
	res, err := s.Run(ctx, Spec{Argv: []string{"/bin/sh", "-c", "sleep 100 & sleep 100"}, Stdout: &out})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != Killed || res.Value != 9 || res.TimedOut {
		t.Errorf("cancelled: %+v", res)
	}
	noSurvivors(t, s)
}

func TestCloseKillsRunsAndRefusesNew(t *testing.T) {
	s := newTestSandbox(t, Config{MaxRuns: 1, MaxQueue: 1})
	results := make(chan error, 2)
	for range 2 { // one running, one queued
		go func() {
			_, err := tryRun(s, Spec{}, "sleep", "100")
			results <- err
		}()
	}
	time.Sleep(500 * time.Millisecond)
	s.Close()
	var closed, ran int
	for range 2 {
		switch err := <-results; {
		case err == nil:
			ran++
		case errors.Is(err, ErrClosed):
			closed++
		default:
			t.Errorf("unexpected %v", err)
		}
	}
	if ran != 1 || closed != 1 {
		t.Errorf("ran %d (killed), closed %d; want 1 and 1", ran, closed)
	}
	if _, err := tryRun(s, Spec{}, "true"); !errors.Is(err, ErrClosed) {
		t.Errorf("run after Close: %v", err)
	}
	noSurvivors(t, s)
}

func TestOutputTruncatedExactlyAtCap(t *testing.T) {
	s := newTestSandbox(t, Config{})
	const limit = 100000
	o := run(t, s, Spec{Limits: Limits{Output: limit}}, "/bin/sh", "-c", "head -c 300000 /dev/zero; head -c 250000 /dev/zero >&2; head -c 10 /dev/zero > /work/x; echo done >&2")
	expect(t, o, Exited, 0) // not killed for writing a lot
	if len(o.stdout) != limit || len(o.stderr) != limit || !o.res.StdoutTruncated || !o.res.StderrTruncated {
		t.Errorf("stdout %d bytes (truncated %v), stderr %d (truncated %v); want %d each",
			len(o.stdout), o.res.StdoutTruncated, len(o.stderr), o.res.StderrTruncated, limit)
	}
	// Exactly the cap is not truncation.
	o = run(t, s, Spec{Limits: Limits{Output: limit}}, "/bin/sh", "-c", "head -c 100000 /dev/zero")
	if len(o.stdout) != limit || o.res.StdoutTruncated {
		t.Errorf("exactly the cap: %d bytes, truncated %v", len(o.stdout), o.res.StdoutTruncated)
	}
	// A flood that never stops runs until the wall limit, still capped.
	o = run(t, s, Spec{Limits: Limits{Output: limit, Wall: time.Second}}, "yes")
	if len(o.stdout) != limit || !o.res.StdoutTruncated || o.res.Limit != LimitTime {
		t.Errorf("yes: %d bytes, %+v", len(o.stdout), o.res)
	}
	// Unless the caller asks for a kill.
	o = run(t, s, Spec{Limits: Limits{Output: limit, Wall: 30 * time.Second, KillOnOutputLimit: true}}, "yes")
	if len(o.stdout) != limit || o.res.Limit != LimitOutput || o.res.Status != Killed {
		t.Errorf("yes with KillOnOutputLimit: %d bytes, %+v", len(o.stdout), o.res)
	}
}

func TestFileSizeTmpfsOpenFilesLimits(t *testing.T) {
	s := newTestSandbox(t, Config{})
	o := run(t, s, Spec{Limits: Limits{FileSize: 1 << 20}}, "/bin/sh", "-c", "head -c 2M /dev/zero > /work/f; echo rc=$?; wc -c < /work/f")
	if !strings.Contains(o.stdout, "rc=153") || !strings.Contains(o.stdout, "1048576") { // 128+SIGXFSZ
		t.Errorf("file size limit: %q %q", o.stdout, o.stderr)
	}
	o = run(t, s, Spec{Limits: Limits{Tmpfs: 8 << 20}}, "/bin/sh", "-c", "head -c 5M /dev/zero > /work/a; head -c 5M /dev/zero > /tmp/b; echo rc=$?")
	if !strings.Contains(o.stdout, "rc=1") || !strings.Contains(o.stderr, "No space left") {
		t.Errorf("tmpfs limit shared by /work and /tmp: %q %q", o.stdout, o.stderr)
	}
	o = run(t, s, Spec{Limits: Limits{OpenFiles: 77}}, "/bin/sh", "-c", "ulimit -n")
	if o.stdout != "77\n" {
		t.Errorf("open files: %q", o.stdout)
	}
}

func TestStatsAreOneRunsOwn(t *testing.T) {
	s := newTestSandbox(t, Config{MaxRuns: 1})
	big := run(t, s, Spec{}, "/usr/bin/python3", "-c", "a = bytearray(150 << 20); import time; t = time.time()\nwhile time.time() - t < 0.3: pass")
	small := run(t, s, Spec{}, "true")
	expect(t, big, Exited, 0)
	expect(t, small, Exited, 0)
	if big.res.MaxMemKiB < 150<<10 {
		t.Errorf("big run peak %d KiB", big.res.MaxMemKiB)
	}
	if small.res.MaxMemKiB > 20<<10 || small.res.MaxMemKiB <= 0 {
		t.Errorf("true after a 150 MiB run: peak %d KiB", small.res.MaxMemKiB)
	}
	if big.res.User+big.res.Kernel < 200*time.Millisecond {
		t.Errorf("big run CPU %v", big.res.User+big.res.Kernel)
	}
	if small.res.User+small.res.Kernel > 100*time.Millisecond || small.res.MinorPageFaults > big.res.MinorPageFaults/4 {
		t.Errorf("true after a busy run: %+v", small.res)
	}
	if small.res.Real <= 0 || small.res.Real > big.res.Real {
		t.Errorf("real: small %v, big %v", small.res.Real, big.res.Real)
	}
}
