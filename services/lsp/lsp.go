package lsp

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/internal/feed"
	"github.com/pid1/pid1/internal/jobs"
	"github.com/pid1/pid1/internal/reaper"
)

// Descriptor registers the service; its servers run with deps. Creating
// an lsp channel starts a process, and what a client writes to the server
// can change files (a rename, a code action), so read-only sessions may
// neither create one nor send to one.
func Descriptor(deps jobs.Deps) services.Descriptor {
	return services.Descriptor{Name: "lsp", Starts: true, Writes: services.BodySet("input", "startLSP"),
		New: func(ch services.Channel) (services.Service, error) {
			if err := deps.Check("lsp"); err != nil {
				return nil, err
			}
			l := &LSP{sup: jobs.New(deps, ch), ch: ch}
			if s, err := resolve(deps, "", ""); err == nil {
				if err := l.start(s); err != nil {
					ch.Logger().Warn("lsp: the workspace's language server did not start", "server", s.name, "err", err)
				}
			} else if !errors.Is(err, errNoServer) {
				ch.Logger().Info("lsp: no language server for the workspace; waiting for startLSP", "reason", err)
			}
			return l, nil
		}}
}

// Restarts: a server that dies is started again after restartDelay,
// doubled each time it dies within quickDeath of starting, up to
// maxRestartDelay; after maxQuickDeaths such deaths in a row it is left
// stopped.
const (
	restartDelay    = 500 * time.Millisecond
	maxRestartDelay = 30 * time.Second
	quickDeath      = 30 * time.Second
	maxQuickDeaths  = 5
)

// drainAfterExit bounds how long output is still read once the server has
// exited, for a child that keeps its stdout open.
const drainAfterExit = 200 * time.Millisecond

// LSP is one lsp channel. Its fields are used on the channel's actor.
type LSP struct {
	sup     *jobs.Supervisor
	ch      services.Channel
	run     *running // nil when no server runs
	want    server   // the server to keep running (restarted when it dies)
	deaths  int      // quick deaths in a row
	restart int      // bumped to cancel a pending restart
	closed  bool
}

// running is a server process.
type running struct {
	server
	job     *jobs.Job
	in      *feed.Queue
	framer  inputFramer
	started time.Time
	exiting bool // a client sent the exit notification
}

var (
	_ services.Service  = (*LSP)(nil)
	_ services.Attacher = (*LSP)(nil)
)

// Command handles input and startLSP.
func (l *LSP) Command(s services.Session, cmd *api.Command) error {
	switch b := cmd.Body.(type) {
	case *api.Command_Input:
		if l.run == nil {
			return errors.New("no language server is running: startLSP { language } starts one")
		}
		out, contents, err := l.run.framer.frame(b.Input)
		if err == nil && out != "" {
			err = l.run.in.Put(out)
			if err != nil {
				err = fmt.Errorf("the language server is not reading its input (%v)", err)
			}
		}
		for _, c := range contents {
			l.run.exiting = l.run.exiting || isExit(c)
		}
		if err != nil {
			return err
		}
		if cmd.Ref != "" {
			services.Reply(l.ch, s, cmd, services.OK())
		}
		return nil
	case *api.Command_StartLSP:
		srv, err := resolve(l.sup.Deps(), b.StartLSP.GetLanguage(), b.StartLSP.GetLanguageServerId())
		if err != nil {
			return err
		}
		if l.run == nil || !l.run.same(srv) {
			l.stop()
			l.deaths = 0
			if err := l.start(srv); err != nil {
				return err
			}
		}
		services.Reply(l.ch, s, cmd, services.OK())
		return nil
	}
	return fmt.Errorf("lsp takes input and startLSP, not %s", services.BodyName(cmd))
}

// Attach tells a session that joins whether a server runs.
func (l *LSP) Attach(s services.Session) { services.To(l.ch, s.ID, services.State(l.run != nil)) }

// isExit reports whether a message's content is the exit notification,
// after which the server's end is no death to restart it from.
func isExit(content string) bool {
	var m struct {
		Method string `json:"method"`
	}
	return json.Unmarshal([]byte(content), &m) == nil && m.Method == "exit"
}

// start runs srv and broadcasts `state: Running`.
func (l *LSP) start(srv server) error {
	l.want = srv
	l.restart++
	deps := l.sup.Deps()
	env := deps.Environ()
	path, err := jobs.LookPath(srv.argv[0], deps.Dir(), env)
	if err != nil {
		return fmt.Errorf("language server %s: %w", srv.name, err)
	}
	inR, inW, err := os.Pipe()
	if err != nil {
		return err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		outR.Close()
		outW.Close()
		return err
	}
	r := &running{server: srv, in: feed.New(), started: time.Now()}
	done := l.pump(r, outR, errR)
	spec := deps.Spec(path, srv.argv)
	spec.Env = env
	spec.Stdin, spec.Stdout, spec.Stderr, spec.Pdeathsig = inR, outW, errW, syscall.SIGKILL
	r.job, err = l.sup.Start(spec, func() {
		outR.SetReadDeadline(time.Now().Add(drainAfterExit))
		errR.SetReadDeadline(time.Now().Add(drainAfterExit))
		<-done
		r.in.Close()
	}, func(st reaper.Status, err error) { l.exited(r, st, err) })
	inR.Close()
	outW.Close()
	errW.Close()
	if err != nil {
		r.in.Close()
		inW.Close()
		outR.Close()
		errR.Close()
		return fmt.Errorf("language server %s: %w", srv.name, err)
	}
	if !l.ch.Go(func(context.Context) { r.in.Drain(inW, nil); inW.Close() }) {
		inW.Close()
	}
	l.run = r
	l.ch.Logger().Info("lsp: language server started", "server", srv.name, "argv", srv.argv, "pid", r.job.Proc.Pid)
	services.Broadcast(l.ch, services.State(true))
	return nil
}

// pump relays the server's messages as `output`, one each, and logs its
// stderr, on goroutines the channel owns. done is closed when both end.
func (l *LSP) pump(r *running, out, errOut *os.File) (done chan struct{}) {
	done = make(chan struct{})
	var ended atomic.Int32
	finish := func() {
		if ended.Add(1) == 2 {
			close(done)
		}
	}
	if !l.ch.Go(func(context.Context) { defer finish(); defer out.Close(); l.relay(r, out) }) {
		out.Close()
		finish()
	}
	if !l.ch.Go(func(context.Context) { defer finish(); defer errOut.Close(); l.logStderr(r, errOut) }) {
		errOut.Close()
		finish()
	}
	return done
}

// relay reads messages from the server and broadcasts each, waiting for
// it to be handed to the channel before reading the next, so a flood is
// slowed to what the channel takes. A stream that breaks the protocol
// ends the relay and the server is killed (it is restarted as any dead
// server is).
func (l *LSP) relay(r *running, out io.Reader) {
	br := bufio.NewReaderSize(out, 64<<10)
	log := l.ch.Logger()
	for {
		msg, skipped, err := readMessage(br)
		for _, s := range skipped {
			log.Info("lsp: the server printed something that is not LSP", "server", r.name, "text", s)
		}
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, os.ErrDeadlineExceeded) && !errors.Is(err, os.ErrClosed) {
				log.Warn("lsp: the server's output broke the protocol; stopping it", "server", r.name, "err", err)
				l.ch.Post(func() {
					if r.job != nil {
						r.job.Kill()
					}
				})
			}
			return
		}
		sent := make(chan struct{})
		cmd := &api.Command{Body: &api.Command_Output{Output: msg}}
		if !l.ch.Post(func() {
			if l.run == r {
				services.Broadcast(l.ch, cmd)
			}
			close(sent)
		}) {
			return
		}
		<-sent
	}
}

// logStderr logs the server's stderr, line by line.
func (l *LSP) logStderr(r *running, errOut io.Reader) {
	sc := bufio.NewScanner(errOut)
	sc.Buffer(make([]byte, 4096), 64<<10)
	for sc.Scan() {
		l.ch.Logger().Debug("lsp: server stderr", "server", r.name, "line", clip(sc.Text()))
	}
}

// exited handles the server's end: `state: Stopped`, then a restart
// unless it was asked to exit, replaced or the channel is closing.
func (l *LSP) exited(r *running, st reaper.Status, err error) {
	if l.run != r {
		return
	}
	l.run = nil
	services.Broadcast(l.ch, services.State(false))
	log := l.ch.Logger()
	if r.exiting || l.closed {
		log.Info("lsp: language server exited", "server", r.name, "status", st.String())
		return
	}
	if time.Since(r.started) < quickDeath {
		l.deaths++
	} else {
		l.deaths = 1
	}
	if l.deaths > maxQuickDeaths {
		log.Warn("lsp: language server keeps dying; not restarting it", "server", r.name, "status", st.String())
		services.Broadcast(l.ch, services.ErrorCommand(fmt.Sprintf(
			"language server %s died %d times in a row (%s); send startLSP to try again", r.name, l.deaths, st.String())))
		return
	}
	delay := min(restartDelay<<(l.deaths-1), maxRestartDelay)
	log.Warn("lsp: language server died; restarting it", "server", r.name, "status", st.String(), "err", err, "in", delay)
	gen, srv := l.restart, l.want
	l.ch.Go(func(ctx context.Context) {
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
		l.ch.Post(func() {
			if l.closed || l.run != nil || l.restart != gen {
				return
			}
			if err := l.start(srv); err != nil {
				log.Warn("lsp: restarting the language server failed", "server", srv.name, "err", err)
				services.Broadcast(l.ch, services.ErrorCommand(err.Error()))
			}
		})
	})
}

// stop kills the running server without restarting it.
func (l *LSP) stop() {
	l.restart++
	if l.run != nil {
		l.run.in.Close()
		l.run.job.Stop()
		l.run = nil
	}
}

// Drain asks the server to end (SIGTERM).
func (l *LSP) Drain(ctx context.Context) {
	l.closed = true
	l.restart++
	if l.run != nil {
		l.run.job.Terminate(ctx)
	}
}

// Close kills the server.
func (l *LSP) Close() {
	l.closed = true
	l.stop()
}
