//go:build linux

package reaper

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestTerminateEarly: when every group dies on SIGTERM, Terminate returns
// long before the grace period.
func TestTerminateEarly(t *testing.T) {
	r := newTestReaper(t)
	sleep := lookPath(t, "sleep")
	var ps []*Process
	for range 5 {
		p, err := r.Spawn(Spec{Path: sleep, Args: []string{"sleep", "100"}})
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	start := time.Now()
	r.Terminate(context.Background(), 10*time.Second)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Terminate took %v with nothing resisting", d)
	}
	for _, p := range ps {
		st, err := p.Wait(waitCtx(t))
		if err != nil || st.Signal != syscall.SIGTERM {
			t.Errorf("pid %d: %v %v, want signal: terminated", p.Pid, st, err)
		}
	}
}

// TestTerminateKillsStubborn: a process that ignores SIGTERM is killed
// when the grace period ends, or earlier when ctx ends.
func TestTerminateKillsStubborn(t *testing.T) {
	sh := lookPath(t, "sh")
	for _, viaCtx := range []bool{false, true} {
		r := newTestReaper(t)
		ready := filepath.Join(t.TempDir(), "ready")
		// exec keeps SIGTERM ignored in sleep, and leaves no orphan.
		p, err := r.Spawn(Spec{Path: sh, Args: []string{"sh", "-c", `trap "" TERM; : > ` + ready + `; exec sleep 100`}})
		if err != nil {
			t.Fatal(err)
		}
		poll(t, 10*time.Second, "the trap", func() bool {
			_, err := os.Stat(ready)
			return err == nil && procState(p.Pid) != ""
		})
		// Let exec happen so the ignored disposition is sleep's.
		poll(t, 10*time.Second, "exec sleep", func() bool {
			pi, _ := readStat(p.Pid)
			return pi.Comm == "sleep"
		})
		grace, ctx := 300*time.Millisecond, context.Background()
		if viaCtx {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, grace)
			defer cancel()
			grace = time.Hour
		}
		start := time.Now()
		r.Terminate(ctx, grace)
		d := time.Since(start)
		if d < 300*time.Millisecond || d > 1300*time.Millisecond {
			t.Errorf("viaCtx=%v: Terminate took %v, want 300ms..1.3s", viaCtx, d)
		}
		st, err := p.Wait(waitCtx(t))
		if err != nil || st.Signal != syscall.SIGKILL {
			t.Errorf("viaCtx=%v: %v %v, want signal: killed", viaCtx, st, err)
		}
		if len(r.Live()) != 0 {
			t.Errorf("viaCtx=%v: processes still live", viaCtx)
		}
	}
}

// TestTerminateWithoutRun: Terminate collects by itself, so shutdown
// works after the loop has stopped.
func TestTerminateWithoutRun(t *testing.T) {
	r := New(Options{})
	p, err := r.Spawn(Spec{Path: lookPath(t, "sleep"), Args: []string{"sleep", "100"}})
	if err != nil {
		t.Fatal(err)
	}
	r.Terminate(context.Background(), 5*time.Second)
	select {
	case <-p.Done():
	default:
		t.Fatal("process not collected by Terminate")
	}
}
