//go:build linux

package reaper

import (
	"context"
	"errors"
	"os"
	"syscall"
	"time"
)

const (
	// pollInterval is how often Terminate checks whether groups are gone.
	// Emptiness of a process group has no notification, so it polls.
	pollInterval = 10 * time.Millisecond
	// killWait bounds the wait after SIGKILL. A process in uninterruptible
	// sleep (D state) can take longer; Terminate does not hang for it.
	killWait = time.Second
)

// Terminate stops every live process: SIGTERM to each one's process group,
// then, after grace or when ctx ends, SIGKILL to whatever is left of those
// groups. It returns when all the leaders have been collected and their
// groups are empty, or at most one second after the SIGKILL.
//
// As PID 1 with ReapAll, "every process" is the whole pid namespace: the
// signals go to kill(-1), which reaches orphans and processes that left
// their group too, and Terminate returns when the namespace is empty. That
// is the s6 model: when PID 1 exits the kernel SIGKILLs the rest anyway, so
// a graceful stop has to happen before. As a child subreaper with ReapAll,
// it is every descendant, found through /proc: the orphans reparented to
// us, processes that started a session of their own and the background
// children of commands that have exited are all ours to end.
//
// Processes spawned after Terminate started may be missed: stop spawning
// first. Terminate collects exited children itself, so it also works after
// Run has returned.
func (r *Reaper) Terminate(ctx context.Context, grace time.Duration) {
	t := r.groups()
	switch {
	case r.reapAll && IsPID1():
		t = namespace()
	case r.reapAll && procSelf() == os.Getpid():
		// (When /proc is another pid namespace's, its pids are not ours
		// to signal: the groups are what can be reached.)
		t = tree()
	}
	r.reap()
	if t.gone() {
		return
	}
	t.signal(syscall.SIGTERM)
	graceT := time.NewTimer(grace)
	defer graceT.Stop()
	if r.awaitGone(t, ctx.Done(), graceT.C) {
		return
	}
	t.signal(syscall.SIGKILL)
	killT := time.NewTimer(killWait)
	defer killT.Stop()
	r.awaitGone(t, nil, killT.C)
}

// target is what Terminate stops: how to signal it all and how to tell
// that it is all gone.
type target struct {
	signal func(syscall.Signal)
	gone   func() bool
}

// groups targets the process groups of the processes live now.
func (r *Reaper) groups() target {
	procs := r.Live()
	return target{
		signal: func(sig syscall.Signal) {
			for _, p := range procs {
				p.signalAll(sig)
			}
		},
		gone: func() bool {
			for _, p := range procs {
				if !p.gone() {
					return false
				}
			}
			return true
		},
	}
}

// namespace targets every process but ourselves, which from the init of a
// pid namespace is that namespace. kill(-1, 0) fails with ESRCH once there
// is nobody left, zombies included.
func namespace() target {
	return target{
		signal: func(sig syscall.Signal) { _ = syscall.Kill(-1, sig) },
		gone:   func() bool { return errors.Is(syscall.Kill(-1, 0), syscall.ESRCH) },
	}
}

// tree targets every process below us in the process tree, found anew at
// each step (what a dying process leaves is reparented to us).
func tree() target {
	return target{
		signal: func(sig syscall.Signal) {
			for _, pid := range descendantPIDs(os.Getpid()) {
				_ = syscall.Kill(pid, sig)
			}
		},
		gone: func() bool { return len(descendantPIDs(os.Getpid())) == 0 },
	}
}

// signalAll signals the process group and, if the leader has left it, the
// leader too, so that neither the descendants nor the leader are missed
// and nobody gets the signal twice.
func (p *Process) signalAll(sig syscall.Signal) {
	_ = p.SignalGroup(sig)
	if pgid, err := syscall.Getpgid(p.Pid); err == nil && pgid != p.Pid {
		_ = p.Signal(sig)
	}
}

// gone reports whether the leader has been collected and its group is
// empty. Zombies still count as members, which is what we want: in ReapAll
// mode they are ours to collect.
func (p *Process) gone() bool {
	return p.exited() && errors.Is(p.SignalGroup(0), os.ErrProcessDone)
}

// awaitGone collects and polls until the target is gone (true) or one of
// the channels fires (false). A nil channel never fires.
func (r *Reaper) awaitGone(t target, stop <-chan struct{}, timeout <-chan time.Time) bool {
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		r.reap()
		if t.gone() {
			return true
		}
		select {
		case <-stop:
			return false
		case <-timeout:
			return false
		case <-tick.C:
		}
	}
}
