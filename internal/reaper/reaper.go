//go:build linux

package reaper

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// tickInterval is how often the loop collects even without a SIGCHLD.
// SIGCHLDs coalesce and Go drops a signal when the channel is full, so a
// wake-up can be missed; tini polls once a second for the same reason.
const tickInterval = time.Second

// Options configure a Reaper.
type Options struct {
	// ReapAll collects every child with wait4(-1), orphans included. Set it
	// when the process is PID 1 (see IsPID1) or a subreaper (see
	// SetSubreaper). Without it only pids returned by Spawn are waited for,
	// so children started elsewhere (os/exec in tests) keep their statuses.
	ReapAll bool
	// Logger receives a debug record per orphan and an error when a status
	// was taken by someone else. Nil discards.
	Logger *slog.Logger
}

// Reaper spawns processes and is the only code that waits for them.
type Reaper struct {
	reapAll bool
	log     *slog.Logger

	// waitMu is the wait lock described in the package doc: exclusive
	// around every wait4, shared from fork to registration in Spawn and
	// around kill in Process.Signal.
	waitMu sync.RWMutex

	// mu guards procs. Spawns register concurrently under the shared wait
	// lock, so the table needs its own lock.
	mu    sync.Mutex
	procs map[int]*Process

	orphans atomic.Uint64
}

// New returns a Reaper. Start its loop with Run before relying on Wait.
func New(o Options) *Reaper {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Reaper{
		reapAll: o.ReapAll,
		log:     log,
		procs:   make(map[int]*Process),
	}
}

// Run collects exited children until ctx ends. It wakes on SIGCHLD and once
// per second, and each time collects until nothing is left. Running it more
// than once at a time is harmless but useless.
func (r *Reaper) Run(ctx context.Context) {
	// Notify never blocks: a signal that finds the channel full is dropped.
	// One slot is enough because every wake-up collects everything.
	sigc := make(chan os.Signal, 1)
	signal.Notify(sigc, syscall.SIGCHLD)
	defer signal.Stop(sigc)
	tick := time.NewTicker(tickInterval)
	defer tick.Stop()

	// Children may have exited before Notify took effect.
	r.reap()
	for {
		select {
		case <-ctx.Done():
			return
		case <-sigc:
		case <-tick.C:
		}
		r.reap()
	}
}

// reap collects every child that has exited so far.
func (r *Reaper) reap() {
	r.waitMu.Lock()
	defer r.waitMu.Unlock()
	if r.reapAll {
		r.reapAny()
	} else {
		r.reapOwn()
	}
}

// waitOptions: WNOHANG so the loop never blocks while holding the lock;
// __WALL so children whose exit signal is not SIGCHLD are collected too.
const waitOptions = syscall.WNOHANG | syscall.WALL

// wait4 is syscall.Wait4 with WNOHANG, retried on EINTR.
func wait4(pid int) (int, syscall.WaitStatus, *syscall.Rusage, error) {
	for {
		var ws syscall.WaitStatus
		ru := new(syscall.Rusage)
		got, err := syscall.Wait4(pid, &ws, waitOptions, ru)
		if !errors.Is(err, syscall.EINTR) {
			return got, ws, ru, err
		}
	}
}

// ended reports whether a wait status is final. Without WUNTRACED and
// WCONTINUED nothing else should arrive, but a stop must never be mistaken
// for an exit.
func ended(ws syscall.WaitStatus) bool { return ws.Exited() || ws.Signaled() }

// reapAny drains wait4(-1). Caller holds waitMu exclusively.
func (r *Reaper) reapAny() {
	for {
		pid, ws, ru, err := wait4(-1)
		if err != nil || pid <= 0 {
			// ECHILD: no children at all; 0: none has exited yet.
			return
		}
		if !ended(ws) {
			continue
		}
		st := statusFrom(ws, ru)
		p := r.take(pid)
		if p == nil {
			r.orphans.Add(1)
			r.log.Debug("reaped orphan", "pid", pid, "status", st.String())
			continue
		}
		p.finish(st, nil)
	}
}

// reapOwn polls each spawned pid. Caller holds waitMu exclusively, so no
// pid can be added while we look.
func (r *Reaper) reapOwn() {
	for _, p := range r.snapshot() {
		pid, ws, ru, err := wait4(p.Pid)
		switch {
		case err != nil:
			// Our own child is not waitable: someone broke the contract
			// and took the status with wait4(-1) or wait4(pid).
			r.take(p.Pid)
			r.log.Error("exit status taken by another waiter", "pid", p.Pid, "path", p.path, "err", err)
			p.finish(Status{Code: -1}, ErrStatusLost)
		case pid == p.Pid && ended(ws):
			r.take(p.Pid)
			p.finish(statusFrom(ws, ru), nil)
		}
	}
}

// register adds a freshly spawned process. Caller holds waitMu shared.
func (r *Reaper) register(p *Process) {
	r.mu.Lock()
	r.procs[p.Pid] = p
	r.mu.Unlock()
}

// take removes and returns the process with this pid, or nil.
func (r *Reaper) take(pid int) *Process {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.procs[pid]
	delete(r.procs, pid)
	return p
}

// Live returns the spawned processes that have not been collected yet,
// ordered by pid.
func (r *Reaper) Live() []*Process {
	ps := r.snapshot()
	slices.SortFunc(ps, func(a, b *Process) int { return a.Pid - b.Pid })
	return ps
}

// snapshot copies the process table, unordered.
func (r *Reaper) snapshot() []*Process {
	r.mu.Lock()
	defer r.mu.Unlock()
	ps := make([]*Process, 0, len(r.procs))
	for _, p := range r.procs {
		ps = append(ps, p)
	}
	return ps
}

// Orphans is the number of collected processes that were not spawned by
// this Reaper (always 0 without ReapAll).
func (r *Reaper) Orphans() uint64 { return r.orphans.Load() }
