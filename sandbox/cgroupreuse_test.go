//go:build linux

package sandbox

import (
	"testing"
	"time"
)

// keptCgroup reports whether slot 0 holds a cgroup for its next run.
func keptCgroup(s *Sandbox) bool {
	cg, ok := s.cgs.take(0)
	if ok {
		s.cgs.keep(0, cg)
	}
	return ok
}

// A v1 slot keeps its cgroup between runs, and each run still reports its
// own figures: the peak above where it started, the limits it asked for,
// and only the limits it ran into itself.
func TestKeptCgroupReportsEachRunAlone(t *testing.T) {
	s := newTestSandbox(t, Config{MaxRuns: 1})
	if s.Mode() != ModeCgroup1 {
		t.Skip("cgroups are kept between runs in v1 mode only; this is " + s.Mode())
	}
	const hog = `/usr/bin/python3 -c 'a = bytearray(96 << 20); a[::4096] = b"x" * len(a[::4096]); print("ok")'`
	sh(t, s, "true")
	if !keptCgroup(s) {
		t.Fatal("a run that left nothing behind did not leave its cgroup to the slot")
	}
	big := sh(t, s, hog)
	expect(t, big, Exited, 0)
	if big.res.MaxMemKiB < 96<<10 {
		t.Errorf("a 96 MiB run in a kept cgroup reported a peak of %d KiB", big.res.MaxMemKiB)
	}
	small := sh(t, s, "true")
	if small.res.MaxMemKiB > 16<<10 {
		t.Errorf("true after a 96 MiB run reported a peak of %d KiB: the last run's peak carried over", small.res.MaxMemKiB)
	}
	// A lower limit is applied to the kept cgroup, and raised again.
	o := run(t, s, Spec{Limits: Limits{Memory: 64 << 20}}, "/bin/sh", "-c", hog)
	if o.res.Limit != LimitMemory {
		t.Errorf("96 MiB under a 64 MiB limit: %+v %q", o.res, o.stdout)
	}
	if o := sh(t, s, "true"); o.res.Limit != "" {
		t.Errorf("the run after an out-of-memory kill reported limit %q", o.res.Limit)
	}
	if o := sh(t, s, hog); o.stdout != "ok\n" || o.res.Limit != "" {
		t.Errorf("96 MiB under the default limit after a 64 MiB run: %+v %q %q", o.res, o.stdout, o.stderr)
	}
	// pids: the run after a fork bomb's reports no pids limit of its own.
	o = run(t, s, Spec{Limits: Limits{Pids: 32, Wall: 2 * time.Second}}, "/bin/bash", "-c", "f(){ f|f& }; f; sleep 10")
	if o.res.Limit != LimitPids {
		t.Errorf("fork bomb: %+v", o.res)
	}
	if o := sh(t, s, "echo after"); o.stdout != "after\n" || o.res.Limit != "" {
		t.Errorf("the run after a fork bomb: %+v %q", o.res, o.stdout)
	}
	// CPU time starts at zero: a run after a CPU-heavy one is not charged
	// for it.
	run(t, s, Spec{Limits: Limits{CPU: 2 * time.Second, Wall: 20 * time.Second}}, "/bin/sh", "-c", "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done")
	if o := run(t, s, Spec{Limits: Limits{CPU: time.Second}}, "/bin/sh", "-c", "sleep 1.5; echo slept"); o.stdout != "slept\n" || o.res.Limit != "" {
		t.Errorf("a run after a CPU-heavy one: %+v %q", o.res, o.stdout)
	}
	noSurvivors(t, s)
}
