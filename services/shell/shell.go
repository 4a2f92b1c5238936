package shell

import (
	"context"
	"errors"
	"fmt"
	"os"
	osexec "os/exec"
	"syscall"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/internal/reaper"
	"github.com/pid1/pid1/middleware/ratelimit"
	"github.com/pid1/pid1/middleware/scrollback"
	"github.com/pid1/pid1/middleware/termed"
	"github.com/pid1/pid1/services"
)

// Config is what every shell channel shares.
type Config struct {
	Reaper *reaper.Reaper
	Dir    string   // working directory: the workspace
	Shell  string   // the program; "" means $SHELL, then bash
	Args   []string // its arguments (after argv[0])
	Env    []string // base environment; nil means pid1's
}

// Descriptor registers the service with its terminal middleware.
func Descriptor(cfg Config) services.Descriptor {
	ctor := func(ch services.Channel) (services.Service, error) { return newShell(cfg, ch) }
	return services.Descriptor{Name: "shell", WellKnown: "shell", Starts: true, Writes: termed.Writes,
		New: services.Chain(ctor, scrollback.New, ratelimit.New(ratelimit.Config{}), termed.New)}
}

type shell struct {
	cfg    Config
	ch     services.Channel
	term   termed.Terminal
	path   string
	proc   *reaper.Process
	starts []time.Time // recent starts, to slow down a crash loop
	closed bool
}

func newShell(cfg Config, ch services.Channel) (*shell, error) {
	if cfg.Reaper == nil {
		return nil, errors.New("shell: no reaper configured")
	}
	t, ok := termed.From(ch)
	if !ok {
		return nil, errors.New("shell: needs the termed middleware")
	}
	prog := cfg.Shell
	if prog == "" {
		prog = os.Getenv("SHELL")
	}
	if prog == "" {
		prog = "bash"
	}
	path, err := osexec.LookPath(prog)
	if err != nil {
		return nil, fmt.Errorf("shell: %w", err)
	}
	s := &shell{cfg: cfg, ch: ch, term: t, path: path}
	if err := s.start(); err != nil {
		return nil, err
	}
	return s, nil
}

// start runs a shell on the terminal; its end is handled on the actor.
func (s *shell) start() error {
	p, err := termed.Spawn(s.cfg.Reaper, s.term, reaper.Spec{Path: s.path, Args: append([]string{s.path}, s.cfg.Args...),
		Env: s.cfg.Env, Dir: s.cfg.Dir})
	if err != nil {
		return fmt.Errorf("shell: %w", err)
	}
	s.proc = p
	s.starts = append(s.starts, time.Now())
	if len(s.starts) > 5 {
		s.starts = s.starts[1:]
	}
	go func() {
		st, err := p.Wait(context.Background())
		s.ch.Logger().Debug("shell exited", "status", st.String(), "err", err)
		s.term.Drain()
		s.ch.Post(func() { s.exited(p) })
	}()
	return nil
}

// exited says so and starts the next shell.
func (s *shell) exited(p *reaper.Process) {
	if s.closed || s.proc != p {
		return
	}
	p.SignalSession(syscall.SIGKILL) // what the shell left running in its session
	services.Broadcast(s.ch, &api.Command{Body: &api.Command_State{State: api.State_Stopped}})
	if len(s.starts) == 5 && time.Since(s.starts[0]) < 5*time.Second {
		time.AfterFunc(time.Second, func() { s.ch.Post(s.restart) })
		return
	}
	s.restart()
}

func (s *shell) restart() {
	if s.closed {
		return
	}
	if err := s.start(); err != nil {
		services.Broadcast(s.ch, services.ErrorCommand(err.Error()))
	}
}

func (s *shell) Command(_ services.Session, cmd *api.Command) error {
	return fmt.Errorf("shell takes input, resizeTerm and saneTerm, not %s", services.BodyName(cmd))
}

// Close kills the shell and everything it started in its session,
// background jobs included (job control puts each in a group of its own).
func (s *shell) Close() {
	s.closed = true
	if s.proc != nil {
		s.proc.SignalSession(syscall.SIGHUP)
		s.proc.SignalSession(syscall.SIGKILL)
	}
}
