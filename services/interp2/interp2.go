package interp2

import (
	"context"
	"errors"
	"fmt"
	"syscall"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/internal/language"
	"github.com/pid1/pid1/internal/reaper"
	"github.com/pid1/pid1/middleware/ratelimit"
	"github.com/pid1/pid1/middleware/scrollback"
	"github.com/pid1/pid1/middleware/termed"
	"github.com/pid1/pid1/services"
)

// Descriptor registers the service with its terminal middleware.
func Descriptor(cfg termed.Runner) services.Descriptor {
	ctor := func(ch services.Channel) (services.Service, error) { return newInterp(cfg, ch) }
	return services.Descriptor{Name: "interp2", WellKnown: "interp2", Starts: true, Writes: termed.Writes.With("runMain", "clear"),
		New: services.Chain(ctor, scrollback.New, ratelimit.New(ratelimit.Config{}), prompts, termed.New)}
}

type interp struct {
	cfg     termed.Runner
	ch      services.Channel
	term    termed.Terminal
	proc    *reaper.Process
	id      int  // bumps on every start, so a stale exit is ignored
	running bool // user code runs (between runMain and the next prompt)
}

func newInterp(cfg termed.Runner, ch services.Channel) (*interp, error) {
	if err := cfg.Check("interp2"); err != nil {
		return nil, err
	}
	t, ok := termed.From(ch)
	if !ok {
		return nil, errors.New("interp2: needs the termed middleware")
	}
	m, ok := services.Find[*markChannel](ch)
	if !ok {
		return nil, errors.New("interp2: needs its prompt middleware")
	}
	in := &interp{cfg: cfg, ch: ch, term: t}
	m.watcher = in
	if err := in.start(false); err != nil {
		return nil, err
	}
	return in, nil
}

// argv is how REPL number n starts, running the main file first when
// withMain.
func (in *interp) argv(n int, withMain bool) ([]string, error) {
	cfg, err := language.Load(in.cfg.Workspace, "")
	if errors.Is(err, language.ErrNothingToRun) {
		cfg, err = language.Config{Language: "python3", Entrypoint: "main.py"}, nil // a REPL needs no file
	}
	if err != nil {
		return nil, err
	}
	ps1 := markLiteral(n)
	switch cfg.Language {
	case "python3":
		code := "import sys; sys.ps1 = " + ps1 + " + '>>> '; sys.ps2 = '... '"
		if withMain {
			code += fmt.Sprintf("; sys.argv = [%q]; exec(compile(open(%q).read(), %q, 'exec'))", cfg.Entrypoint, cfg.Entrypoint, cfg.Entrypoint)
		}
		return []string{"python3", "-q", "-i", "-c", code}, nil
	case "nodejs":
		code := "const repl = require('repl');"
		if withMain {
			code += fmt.Sprintf(" const m = require(%q);", "./"+cfg.Entrypoint)
		}
		code += " const r = repl.start({ prompt: " + ps1 + " + '> ' });"
		if withMain {
			code += " Object.assign(r.context, m);"
		}
		return []string{"node", "-e", code}, nil
	}
	return nil, fmt.Errorf("interp2 has no REPL for %s; run it with run2", cfg.Language)
}

// start kills the current REPL, if any, and starts a new one.
func (in *interp) start(withMain bool) error {
	argv, err := in.argv(in.id+1, withMain)
	if err != nil {
		return err
	}
	path, err := termed.Resolve(argv[0], in.cfg.Workspace.Path())
	if err != nil {
		return err // before kill: the REPL that runs stays
	}
	in.kill()
	p, err := in.cfg.Spawn(in.term, path, argv)
	if err != nil {
		return err
	}
	in.id++
	id := in.id
	in.proc = p
	go func() {
		p.Wait(context.Background())
		in.term.Drain()
		in.ch.Post(func() { in.exited(id) })
	}()
	return nil
}

func (in *interp) kill() {
	if in.proc != nil {
		in.proc.SignalSession(syscall.SIGKILL)
		in.proc = nil
	}
}

// exited: the REPL ended (exit(), ^D, a crash); a fresh one starts.
func (in *interp) exited(id int) {
	if id != in.id || in.proc == nil {
		return
	}
	in.proc = nil
	in.setRunning(false)
	if err := in.start(false); err != nil {
		services.Broadcast(in.ch, services.ErrorCommand(err.Error()))
	}
}

// prompted is called by the prompt middleware: if REPL n is the current
// one, user code is done.
func (in *interp) prompted(n int) {
	if n == in.id {
		in.setRunning(false)
	}
}

func (in *interp) setRunning(r bool) {
	if in.running == r {
		return
	}
	in.running = r
	st := api.State_Stopped
	if r {
		st = api.State_Running
	}
	services.Broadcast(in.ch, &api.Command{Body: &api.Command_State{State: st}})
}

func (in *interp) Attach(s services.Session) {
	st := api.State_Stopped
	if in.running {
		st = api.State_Running
	}
	services.To(in.ch, s.ID, &api.Command{Body: &api.Command_State{State: st}})
}

func (in *interp) Command(s services.Session, cmd *api.Command) error {
	switch cmd.Body.(type) {
	case *api.Command_RunMain:
		scrollback.Clear(in.ch)
		in.setRunning(true)
		if err := in.start(true); err != nil {
			in.setRunning(false)
			return err
		}
		return nil
	case *api.Command_Clear:
		scrollback.Clear(in.ch)
		in.setRunning(false)
		return in.start(false)
	}
	return fmt.Errorf("interp2 takes runMain, clear, input, resizeTerm and saneTerm, not %s", services.BodyName(cmd))
}

func (in *interp) Close() { in.kill() }
