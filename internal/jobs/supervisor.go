package jobs

import (
	"context"
	"errors"
	"sync"
	"syscall"
	"time"

	"github.com/pid1/pid1/internal/reaper"
)

// Supervisor runs one channel's processes.
type Supervisor struct {
	deps Deps
	ch   Owner
}

// Owner is where a Supervisor runs what it does: a service's channel
// (services.Channel is one). Go runs a goroutine the owner waits for;
// Post runs a function on the owner's actor.
type Owner interface {
	Go(fn func(ctx context.Context)) bool
	Post(fn func()) bool
}

// New returns the supervisor of ch's processes.
func New(deps Deps, ch Owner) *Supervisor { return &Supervisor{deps: deps, ch: ch} }

// Deps is what the supervisor was built with.
func (s *Supervisor) Deps() Deps { return s.deps }

// Job is one process a Supervisor started, with its descendants: its
// session when it was started with Setsid (a terminal program), else its
// process group.
type Job struct {
	Proc     *reaper.Process
	session  bool
	stopped  bool // on the actor: the exit is not reported
	reported bool // on the actor: it was
}

// Start spawns spec. When the process has exited, drain (if not nil)
// runs on the waiting goroutine, to collect what the process printed
// last; then exited runs on the channel's actor, unless Stop was called
// first. A process started by a channel that has closed is killed.
func (s *Supervisor) Start(spec reaper.Spec, drain func(), exited func(reaper.Status, error)) (*Job, error) {
	p, err := s.deps.Reaper.Spawn(spec)
	if err != nil {
		return nil, err
	}
	j := &Job{Proc: p, session: spec.Setsid}
	if !s.ch.Go(func(context.Context) {
		st, err := p.Wait(context.Background())
		if drain != nil {
			drain()
		}
		s.ch.Post(func() {
			if j.stopped || j.reported {
				return
			}
			j.reported = true
			exited(st, err)
		})
	}) {
		j.Kill()
		return nil, ErrClosed
	}
	return j, nil
}

// ErrClosed is what Start returns once the owner has closed.
var ErrClosed = errors.New("the channel is closed")

// Signal sends sig to the job's session or process group: the program and
// whatever it started (background jobs, its children).
func (j *Job) Signal(sig syscall.Signal) {
	if j.session {
		j.Proc.SignalSession(sig)
		return
	}
	j.Proc.SignalGroup(sig)
}

// Kill ends the job and everything it started, now (SIGKILL).
func (j *Job) Kill() { j.Signal(syscall.SIGKILL) }

// Stop kills the job and forgets it: its exit is not reported. Call it on
// the channel's actor.
func (j *Job) Stop() {
	j.stopped = true
	j.Kill()
}

// Running reports whether the job's exit has not been reported or
// forgotten yet. Call it on the channel's actor.
func (j *Job) Running() bool { return j != nil && !j.stopped && !j.reported }

// Terminate asks the job to end and waits for it within ctx, then kills
// what is left; the exit is reported as usual. Every process of the job
// gets SIGTERM, so a program can save its work. A terminal's leader (a
// shell, which ignores SIGTERM) is hung up only once the rest have ended,
// so that it does not take them down before they have saved.
func (j *Job) Terminate(ctx context.Context) {
	j.Signal(syscall.SIGTERM)
	waitUntil(ctx, func() bool { return j.exited() || len(j.others()) == 0 })
	if j.session {
		j.Proc.Signal(syscall.SIGHUP)
	}
	waitUntil(ctx, func() bool { return j.exited() && len(j.members()) == 0 })
	j.Kill()
}

// TerminateAll terminates every job at once (nil ones are skipped) and
// returns when all have ended or ctx has.
func TerminateAll(ctx context.Context, js ...*Job) {
	var wg sync.WaitGroup
	for _, j := range js {
		if j != nil {
			wg.Go(func() { j.Terminate(ctx) })
		}
	}
	wg.Wait()
}

func (j *Job) exited() bool {
	select {
	case <-j.Proc.Done():
		return true
	default:
		return false
	}
}

// members lists the job's processes: its session's or its group's.
func (j *Job) members() []int {
	if j.session {
		return j.Proc.SessionMembers()
	}
	return j.Proc.GroupMembers()
}

// others lists the job's processes but its leader.
func (j *Job) others() []int {
	ms := j.members()
	out := ms[:0]
	for _, pid := range ms {
		if pid != j.Proc.Pid {
			out = append(out, pid)
		}
	}
	return out
}

// pollEvery is how often Terminate looks whether processes have ended.
const pollEvery = 10 * time.Millisecond

// waitUntil polls done until it holds or ctx ends.
func waitUntil(ctx context.Context, done func() bool) {
	t := time.NewTicker(pollEvery)
	defer t.Stop()
	for !done() {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
