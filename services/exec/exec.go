package exec

import (
	"context"
	"errors"
	"fmt"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/internal/jobs"
	"github.com/pid1/pid1/internal/reaper"
)

// Descriptor registers the service; its commands run with deps.
func Descriptor(deps jobs.Deps) services.Descriptor {
	return services.Descriptor{Name: "exec", WellKnown: "execer", Writes: services.BodySet("exec", "input", "inputClose"), New: func(ch services.Channel) (services.Service, error) {
		if err := deps.Check("exec"); err != nil {
			return nil, err
		}
		return &Exec{sup: jobs.New(deps, ch), ch: ch}, nil
	}}
}

// Exec is one exec channel. Its fields are used on the channel's actor only.
type Exec struct {
	sup     *jobs.Supervisor
	ch      services.Channel
	running *job
	queue   []request // blocking requests waiting for the running one
	closed  bool
}

type request struct {
	from services.Session
	cmd  *api.Command
}

var _ services.Service = (*Exec)(nil)

// Attach tells s whether a command is running.
func (e *Exec) Attach(s services.Session) {
	services.To(e.ch, s.ID, services.State(e.running != nil))
}

// Command handles exec, input and inputClose.
func (e *Exec) Command(s services.Session, cmd *api.Command) error {
	switch b := cmd.Body.(type) {
	case *api.Command_Exec:
		if len(b.Exec.GetArgs()) == 0 || b.Exec.Args[0] == "" {
			return errors.New("exec needs args, e.g. { exec: { args: [\"ls\", \"-l\"] } }")
		}
		if e.running != nil {
			if !blocking(b.Exec) {
				//lint:ignore ST1005 clients match this exact text (goval's)
				return errors.New("Already running")
			}
			e.queue = append(e.queue, request{from: s, cmd: cmd})
			return nil
		}
		e.start(request{from: s, cmd: cmd})
		return nil
	case *api.Command_Input:
		j, err := e.stdin(s)
		if err != nil {
			return err
		}
		return j.feed(b.Input)
	case *api.Command_InputClose:
		j, err := e.stdin(s)
		if err != nil {
			return err
		}
		j.closeStdin()
		return nil
	}
	return fmt.Errorf("exec takes exec, input and inputClose, not %s", services.BodyName(cmd))
}

func blocking(x *api.Exec) bool {
	return x.GetBlocking() || x.GetLifecycle() == api.Exec_BLOCKING
}

func (e *Exec) stdin(s services.Session) (*job, error) {
	switch {
	case e.running == nil:
		return nil, errors.New("no command is running")
	case e.running.in == nil:
		return nil, errors.New("the running command was not started with lifecycle STDIN")
	}
	return e.running, nil
}

// start runs req's command; its end is handled by finish, on the actor.
func (e *Exec) start(req request) {
	services.Broadcast(e.ch, services.State(true))
	j, err := e.spawn(req)
	if err != nil {
		services.Reply(e.ch, req.from, req.cmd, services.ErrorCommand(err.Error()))
		services.Broadcast(e.ch, services.State(false))
		e.next()
		return
	}
	e.running = j
}

// finish answers the request of the job that ended and starts the next.
func (e *Exec) finish(j *job, status reaper.Status, err error) {
	if e.running != j || e.closed {
		return
	}
	e.running = nil
	switch {
	case err != nil:
		services.Reply(e.ch, j.req.from, j.req.cmd, services.ErrorCommand(err.Error()))
	case status.Code == 0 && !status.Signaled():
		services.Reply(e.ch, j.req.from, j.req.cmd, services.OK())
	default:
		services.Reply(e.ch, j.req.from, j.req.cmd, services.ErrorCommand(status.String()))
	}
	services.Broadcast(e.ch, services.State(false))
	e.next()
}

func (e *Exec) next() {
	if len(e.queue) == 0 || e.closed {
		return
	}
	req := e.queue[0]
	e.queue = e.queue[1:]
	e.start(req)
}

// Drain asks the running command to end; queued ones do not start.
func (e *Exec) Drain(ctx context.Context) {
	e.queue = nil
	if e.running != nil {
		e.running.Terminate(ctx)
	}
}

// Close kills the running command's process group.
func (e *Exec) Close() {
	e.closed = true
	e.queue = nil
	if e.running != nil {
		e.running.kill()
	}
}

// environ is the environment of a command: the user's, with the
// request's variables laid over it.
// environ is the environment of a command: the user's (without the
// workspace's own variables and .replit env with noUserEnv), LOG_FD=3
// with splitLogs, and the request's variables laid over it.
func (e *Exec) environ(overrides map[string]string, noUserEnv, splitLogs bool) []string {
	extra := make([]string, 0, len(overrides)+1)
	if splitLogs {
		extra = append(extra, "LOG_FD=3")
	}
	for k, v := range overrides {
		extra = append(extra, k+"="+v)
	}
	if noUserEnv {
		return e.sup.Deps().PlainEnviron(extra...)
	}
	return e.sup.Deps().Environ(extra...)
}
