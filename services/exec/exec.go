package exec

import (
	"errors"
	"fmt"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/internal/reaper"
	"github.com/pid1/pid1/services"
)

// Config is what every exec channel shares.
type Config struct {
	Reaper *reaper.Reaper // starts and waits for every command
	Dir    string         // the workspace: the commands' working directory
	Env    []string       // base environment ("KEY=value"); nil means pid1's
}

// Descriptor registers the service with cfg.
func Descriptor(cfg Config) services.Descriptor {
	return services.Descriptor{Name: "exec", WellKnown: "execer", Writes: services.BodySet("exec", "input", "inputClose"), New: func(ch services.Channel) (services.Service, error) {
		if cfg.Reaper == nil {
			return nil, errors.New("exec: no reaper configured")
		}
		return &Exec{cfg: cfg, ch: ch}, nil
	}}
}

// Exec is one exec channel. Its fields are used on the channel's actor only.
type Exec struct {
	cfg     Config
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

func stateCmd(running bool) *api.Command {
	st := api.State_Stopped
	if running {
		st = api.State_Running
	}
	return &api.Command{Body: &api.Command_State{State: st}}
}

// Attach tells s whether a command is running.
func (e *Exec) Attach(s services.Session) {
	services.To(e.ch, s.ID, stateCmd(e.running != nil))
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
	services.Broadcast(e.ch, stateCmd(true))
	j, err := e.spawn(req)
	if err != nil {
		services.Reply(e.ch, req.from, req.cmd, services.ErrorCommand(err.Error()))
		services.Broadcast(e.ch, stateCmd(false))
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
	services.Broadcast(e.ch, stateCmd(false))
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

// Close kills the running command's process group.
func (e *Exec) Close() {
	e.closed = true
	e.queue = nil
	if e.running != nil {
		e.running.kill()
	}
}

// environ lays overrides over base ("KEY=value" strings).
func environ(base []string, overrides map[string]string) []string {
	base = services.UserEnv(base)
	out := make([]string, 0, len(base)+len(overrides))
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if _, over := overrides[k]; !over {
			out = append(out, kv)
		}
	}
	for k, v := range overrides {
		out = append(out, k+"="+v)
	}
	return out
}

// lookPath finds name as a shell would with the PATH in env, and reports
// failure as os/exec does (`exec: "x": executable file not found in $PATH`).
func lookPath(name, dir string, env []string) (string, error) {
	if strings.Contains(name, "/") {
		p := name
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		if err := executable(p); err != nil {
			return "", &osexec.Error{Name: name, Err: err}
		}
		return p, nil
	}
	path := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	for _, d := range filepath.SplitList(path) {
		if d == "" {
			d = "."
		}
		p := filepath.Join(d, name)
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		if executable(p) == nil {
			return p, nil
		}
	}
	return "", &osexec.Error{Name: name, Err: osexec.ErrNotFound}
}

func executable(p string) error {
	st, err := os.Stat(p)
	if err != nil {
		return err
	}
	if st.IsDir() || st.Mode()&0o111 == 0 {
		return syscall.EACCES
	}
	return nil
}
