//go:build linux

package reaper

import (
	"context"
	"errors"
	"os"
	"syscall"
)

// ErrStatusLost is returned by Wait when the process was collected by some
// other waiter (a wait4 outside this package), so its status is unknown.
var ErrStatusLost = errors.New("reaper: exit status taken by another waiter")

// Process is a child started by Spawn. It is its own process group leader
// (pgid == Pid), and its session leader too when Spec.Setsid was set.
type Process struct {
	// Pid is the process id, which is also the process group id.
	Pid int

	r    *Reaper
	path string

	done   chan struct{}
	status Status // written once, before done is closed
	err    error  // ditto
}

// finish records the status and wakes waiters. Called once, by the loop.
func (p *Process) finish(st Status, err error) {
	p.status = st
	p.err = err
	close(p.done)
}

// Done is closed once the process has been collected.
func (p *Process) Done() <-chan struct{} { return p.done }

// Wait returns how the process ended, blocking until it has been collected
// or ctx ends. Any number of goroutines may wait; all see the same Status.
// The error is ctx.Err() or ErrStatusLost.
func (p *Process) Wait(ctx context.Context) (Status, error) {
	select {
	case <-p.done:
		return p.status, p.err
	default:
	}
	select {
	case <-p.done:
		return p.status, p.err
	case <-ctx.Done():
		return Status{}, ctx.Err()
	}
}

// exited reports whether the process has been collected.
func (p *Process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Signal sends sig to the process. Once it has been collected it returns
// os.ErrProcessDone and sends nothing, because the pid may already belong
// to someone else. Signal 0 checks existence.
func (p *Process) Signal(sig syscall.Signal) error {
	// Shared wait lock: the loop cannot collect (and so free) the pid
	// between the check and the kill.
	p.r.waitMu.RLock()
	defer p.r.waitMu.RUnlock()
	if p.exited() {
		return os.ErrProcessDone
	}
	return kill(p.Pid, sig)
}

// SignalGroup sends sig to the process group the process leads. The group
// can outlive its leader (a shell's background jobs), so this still works
// after the leader has been collected; it returns os.ErrProcessDone once
// the group is empty. A group id cannot be reused while any member lives,
// so the only risk is a new process that gets the same pid after the group
// emptied and makes itself a group leader.
//
// A member that moved to another group (a job-control shell does this for
// its jobs) is not reached.
func (p *Process) SignalGroup(sig syscall.Signal) error {
	return kill(-p.Pid, sig)
}

// kill maps ESRCH to os.ErrProcessDone like os.Process.Signal does.
func kill(pid int, sig syscall.Signal) error {
	err := syscall.Kill(pid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return os.ErrProcessDone
	}
	if err != nil {
		return os.NewSyscallError("kill", err)
	}
	return nil
}
