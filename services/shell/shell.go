package shell

import (
	"context"
	"fmt"
	"os"
	osexec "os/exec"
	"syscall"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/internal/jobs"
	"github.com/pid1/pid1/internal/reaper"
	"github.com/pid1/pid1/middleware/termed"
	"github.com/pid1/pid1/middleware/terminal"
)

// Config is what every shell channel shares.
type Config struct {
	Deps  jobs.Deps
	Shell string   // the program; "" means $SHELL, then bash
	Args  []string // its arguments (after argv[0])
}

// Descriptor registers the service on the terminal stack.
func Descriptor(cfg Config) services.Descriptor {
	return services.Descriptor{Name: "shell", WellKnown: "shell", Starts: true, Writes: terminal.Writes,
		New: New(cfg)}
}

// New is the shell's constructor, for services that run one of their own
// on their channel (shellrun2).
func New(cfg Config) services.Constructor {
	return terminal.Stack{}.New(func(k terminal.Kit) (services.Service, error) { return newShell(cfg, k) })
}

type shell struct {
	sup    *jobs.Supervisor
	ch     services.Channel
	term   termed.Terminal
	path   string   // the shell
	argv   []string // and how it starts
	job    *jobs.Job
	starts []time.Time // recent starts, to slow down a crash loop
	closed bool
}

func newShell(cfg Config, k terminal.Kit) (*shell, error) {
	if err := cfg.Deps.Check("shell"); err != nil {
		return nil, err
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
	s := &shell{sup: jobs.New(cfg.Deps, k.Channel), ch: k.Channel, term: k.Term,
		path: path, argv: append([]string{path}, cfg.Args...)}
	if err := s.start(); err != nil {
		return nil, err
	}
	return s, nil
}

// start runs a shell on the terminal; its end is handled on the actor.
func (s *shell) start() error {
	spec, err := termed.Spec(s.term, s.sup.Deps().Spec(s.path, s.argv))
	if err == nil {
		s.job, err = s.sup.Start(spec, s.term.Drain, s.exited)
	}
	if err != nil {
		return fmt.Errorf("shell: %w", err)
	}
	s.starts = append(s.starts, time.Now())
	if len(s.starts) > 5 {
		s.starts = s.starts[1:]
	}
	return nil
}

// exited says so and starts the next shell.
func (s *shell) exited(st reaper.Status, err error) {
	s.ch.Logger().Debug("shell exited", "status", st.String(), "err", err)
	s.job.Kill() // what the shell left running in its session
	services.Broadcast(s.ch, services.State(false))
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

// Drain asks the programs in the shell's session to end, then the shell,
// and starts no other.
func (s *shell) Drain(ctx context.Context) {
	s.closed = true
	if s.job != nil {
		s.job.Terminate(ctx)
	}
}

// Close kills the shell and everything it started in its session,
// background jobs included (job control puts each in a group of its own).
func (s *shell) Close() {
	s.closed = true
	if s.job != nil {
		s.job.Signal(syscall.SIGHUP)
		s.job.Stop()
	}
}
