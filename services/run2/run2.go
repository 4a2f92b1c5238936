package run2

import (
	"context"
	"errors"
	"fmt"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/fsroot"
	"github.com/pid1/pid1/language"
	"github.com/pid1/pid1/middleware/clippy"
	"github.com/pid1/pid1/middleware/ratelimit"
	"github.com/pid1/pid1/middleware/scrollback"
	"github.com/pid1/pid1/middleware/termed"
	"github.com/pid1/pid1/reaper"
	"github.com/pid1/pid1/services"
)

// Config is what every run2 channel shares.
type Config struct {
	Reaper    *reaper.Reaper
	Workspace *fsroot.Dir
	Env       []string // base environment; nil means pid1's
}

// Descriptor registers the service with its terminal middleware.
func Descriptor(cfg Config) services.Descriptor {
	ctor := func(ch services.Channel) (services.Service, error) { return newRun(cfg, ch) }
	return services.Descriptor{Name: "run2", WellKnown: "run2",
		New: services.Chain(ctor, scrollback.New, ratelimit.New(ratelimit.Config{}), clippy.New(clippy.Default), termed.New)}
}

type run struct {
	cfg   Config
	ch    services.Channel
	term  termed.Terminal
	build string // where compiled programs go

	proc   *reaper.Process // the step running now; nil when stopped
	steps  [][]string      // what is left to run after it
	reason []string
	id     int // bumps on every start, so a stale exit is ignored
}

func newRun(cfg Config, ch services.Channel) (*run, error) {
	if cfg.Reaper == nil || cfg.Workspace == nil {
		return nil, errors.New("run2: no reaper or workspace configured")
	}
	t, ok := termed.From(ch)
	if !ok {
		return nil, errors.New("run2: needs the termed middleware")
	}
	build, err := os.MkdirTemp("", "pid1-run2-")
	if err != nil {
		return nil, fmt.Errorf("run2: %w", err)
	}
	return &run{cfg: cfg, ch: ch, term: t, build: build}, nil
}

func state(running bool) *api.Command {
	st := api.State_Stopped
	if running {
		st = api.State_Running
	}
	return &api.Command{Body: &api.Command_State{State: st}}
}

func (r *run) Attach(s services.Session) { services.To(r.ch, s.ID, state(r.proc != nil)) }
func (r *run) Detach(services.Session)   {}

func (r *run) Command(s services.Session, cmd *api.Command) error {
	switch cmd.Body.(type) {
	case *api.Command_RunMain:
		if !s.User.CanWrite {
			return errors.New("read-only: your token does not allow running the program")
		}
		return r.runMain()
	case *api.Command_Clear:
		if !s.User.CanWrite {
			return errors.New("read-only: your token does not allow stopping the program")
		}
		r.stop()
		if c, ok := services.Find[scrollback.Clearer](r.ch); ok {
			c.ClearScrollback()
		}
		return nil
	}
	return fmt.Errorf("run2 takes runMain, clear, input, resizeTerm and saneTerm, not %s", services.BodyName(cmd))
}

func (r *run) runMain() error {
	cfg, err := language.Load(r.cfg.Workspace, r.build)
	if err != nil {
		return err
	}
	r.stop()
	if c, ok := services.Find[scrollback.Clearer](r.ch); ok {
		c.ClearScrollback()
	}
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
		services.Broadcast(r.ch, services.Error(err.Error()))
		r.proc = nil
		services.Broadcast(r.ch, state(false))
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
	path := argv[0]
	if strings.Contains(path, "/") {
		if !filepath.IsAbs(path) {
			path = filepath.Join(r.cfg.Workspace.Path(), path)
		}
	} else if p, err := osexec.LookPath(path); err == nil {
		path = p
	} else {
		return nil, err
	}
	return termed.Spawn(r.cfg.Reaper, r.term, reaper.Spec{Path: path, Args: argv, Env: r.cfg.Env, Dir: r.cfg.Workspace.Path()})
}

func (r *run) exited(id int, st reaper.Status, err error) {
	if id != r.id || r.proc == nil {
		return // stopped meanwhile
	}
	r.proc.SignalGroup(syscall.SIGKILL) // what it left behind
	ok := err == nil && st.Code == 0 && !st.Signaled()
	if ok && len(r.steps) > 0 {
		r.next()
		return
	}
	r.proc = nil
	switch {
	case err != nil:
		services.Broadcast(r.ch, services.Error(err.Error()))
	case !ok:
		services.Broadcast(r.ch, services.Error(st.String()))
	}
	services.Broadcast(r.ch, state(false))
}

// stop kills the running program, if any.
func (r *run) stop() {
	if r.proc == nil {
		return
	}
	r.proc.SignalGroup(syscall.SIGKILL)
	r.proc = nil
	r.id++
	services.Broadcast(r.ch, state(false))
}

func (r *run) Close() {
	if r.proc != nil {
		r.proc.SignalGroup(syscall.SIGKILL)
	}
	os.RemoveAll(r.build)
}
