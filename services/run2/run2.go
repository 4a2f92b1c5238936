package run2

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/internal/language"
	"github.com/pid1/pid1/internal/reaper"
	"github.com/pid1/pid1/middleware/clippy"
	"github.com/pid1/pid1/middleware/ratelimit"
	"github.com/pid1/pid1/middleware/scrollback"
	"github.com/pid1/pid1/middleware/termed"
	"github.com/pid1/pid1/services"
)

// Descriptor registers the service with its terminal middleware.
func Descriptor(cfg termed.Runner) services.Descriptor {
	return NewDescriptor("run2", cfg, nil)
}

// NewDescriptor registers a run2-like service under name. With idle, that
// program (a shell, for shellrun) runs on the terminal whenever the main
// program does not: runMain replaces it, and it comes back when the run
// ends.
func NewDescriptor(name string, cfg termed.Runner, idle []string) services.Descriptor {
	ctor := func(ch services.Channel) (services.Service, error) { return newRun(cfg, ch, name, idle) }
	return services.Descriptor{Name: name, WellKnown: name, Starts: true, Writes: termed.Writes.With("runMain", "clear"),
		New: services.Chain(ctor, scrollback.New, ratelimit.New(ratelimit.Config{}), clippy.New(clippy.Default), termed.New)}
}

type run struct {
	cfg   termed.Runner
	name  string
	ch    services.Channel
	term  termed.Terminal
	build string // where compiled programs go

	idleArgv []string        // what runs between runs; nil for none
	idle     *reaper.Process // it, while it runs
	idleID   int

	proc   *reaper.Process // the step running now; nil when stopped
	steps  [][]string      // what is left to run after it
	reason []string
	id     int // bumps on every start, so a stale exit is ignored
}

func newRun(cfg termed.Runner, ch services.Channel, name string, idle []string) (*run, error) {
	if err := cfg.Check("run2"); err != nil {
		return nil, err
	}
	t, ok := termed.From(ch)
	if !ok {
		return nil, errors.New("run2: needs the termed middleware")
	}
	build, err := os.MkdirTemp("", "pid1-run2-")
	if err != nil {
		return nil, fmt.Errorf("run2: %w", err)
	}
	r := &run{cfg: cfg, name: name, ch: ch, term: t, build: build, idleArgv: idle}
	r.startIdle()
	return r, nil
}

// startIdle starts the idle program, if there is one and nothing runs.
func (r *run) startIdle() {
	if r.idleArgv == nil || r.proc != nil || r.idle != nil {
		return
	}
	p, err := r.spawn(r.idleArgv)
	if err != nil {
		services.Broadcast(r.ch, services.ErrorCommand(err.Error()))
		return
	}
	r.idleID++
	id := r.idleID
	r.idle = p
	go func() {
		p.Wait(context.Background())
		r.ch.Post(func() {
			if id == r.idleID && r.idle != nil { // it ended by itself (exit): start another
				r.idle = nil
				r.startIdle()
			}
		})
	}()
}

func (r *run) stopIdle() {
	if r.idle != nil {
		// No SIGHUP first: a shell that gets one prints its goodbyes into
		// the program's output. Its terminal settings are restored by
		// termed.Spawn.
		r.idle.SignalSession(syscall.SIGKILL)
		r.idle = nil
		r.idleID++
	}
}

func state(running bool) *api.Command {
	st := api.State_Stopped
	if running {
		st = api.State_Running
	}
	return &api.Command{Body: &api.Command_State{State: st}}
}

func (r *run) Attach(s services.Session) { services.To(r.ch, s.ID, state(r.proc != nil)) }

func (r *run) Command(s services.Session, cmd *api.Command) error {
	switch cmd.Body.(type) {
	case *api.Command_RunMain:
		return r.runMain()
	case *api.Command_Clear:
		r.stop()
		scrollback.Clear(r.ch)
		return nil
	}
	return fmt.Errorf("%s takes runMain, clear, input, resizeTerm and saneTerm, not %s", r.name, services.BodyName(cmd))
}

func (r *run) runMain() error {
	cfg, err := language.Load(r.cfg.Workspace, r.build)
	if err != nil {
		return err
	}
	r.stop()
	r.stopIdle()
	scrollback.Clear(r.ch)
	if h, ok := services.Find[clippy.Language](r.ch); ok {
		h.SetLanguage(cfg.Language)
	}
	r.steps, r.reason = nil, nil
	if cfg.Compile != nil {
		r.steps, r.reason = append(r.steps, cfg.Compile), append(r.reason, "compile")
	}
	r.steps, r.reason = append(r.steps, cfg.Run), append(r.reason, "run")
	services.Broadcast(r.ch, state(true))
	r.next()
	return nil
}

// next starts the next step, or says the run is over.
func (r *run) next() {
	argv, reason := r.steps[0], r.reason[0]
	r.steps, r.reason = r.steps[1:], r.reason[1:]
	services.Broadcast(r.ch, &api.Command{Body: &api.Command_ExecInfo{ExecInfo: &api.ExecInfo{Command: argv, Reason: reason}}})
	r.id++
	id := r.id
	p, err := r.spawn(argv)
	if err != nil {
		services.Broadcast(r.ch, services.ErrorCommand(err.Error()))
		r.proc = nil
		services.Broadcast(r.ch, state(false))
		r.startIdle()
		return
	}
	r.proc = p
	go func() {
		st, err := p.Wait(context.Background())
		r.term.Drain()
		r.ch.Post(func() { r.exited(id, st, err) })
	}()
}

func (r *run) spawn(argv []string) (*reaper.Process, error) {
	return r.cfg.Spawn(r.term, "", argv)
}

func (r *run) exited(id int, st reaper.Status, err error) {
	if id != r.id || r.proc == nil {
		return // stopped meanwhile
	}
	r.proc.SignalSession(syscall.SIGKILL) // what it left behind
	ok := err == nil && st.Code == 0 && !st.Signaled()
	if ok && len(r.steps) > 0 {
		r.next()
		return
	}
	r.proc = nil
	switch {
	case err != nil:
		services.Broadcast(r.ch, services.ErrorCommand(err.Error()))
	case !ok:
		services.Broadcast(r.ch, services.ErrorCommand(st.String()))
	}
	services.Broadcast(r.ch, state(false))
	r.startIdle()
}

// stop kills the running program, if any.
func (r *run) stop() {
	if r.proc == nil {
		return
	}
	r.proc.SignalSession(syscall.SIGKILL)
	r.proc = nil
	r.id++
	services.Broadcast(r.ch, state(false))
	r.startIdle()
}

func (r *run) Close() {
	r.stopIdle()
	if r.proc != nil {
		r.proc.SignalSession(syscall.SIGKILL)
	}
	os.RemoveAll(r.build)
}
