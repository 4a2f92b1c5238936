package packagerwork

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/internal/jobs"
	"github.com/pid1/pid1/internal/language"
	"github.com/pid1/pid1/internal/packager"
	"github.com/pid1/pid1/internal/packager/golang"
	"github.com/pid1/pid1/internal/packager/nodejs"
	"github.com/pid1/pid1/internal/packager/python"
	"github.com/pid1/pid1/services"
)

// Backends are the backends pid1 has, in the order Choose prefers them on
// a tie.
func Backends() []packager.Backend {
	return []packager.Backend{nodejs.Backend{}, python.Backend{}, golang.Backend{}}
}

// Config is what a Worker needs besides its channel.
type Config struct {
	Deps     jobs.Deps
	Backends []packager.Backend // nil: Backends()
	Client   *http.Client       // for registries; nil: one with a 60 s timeout
}

// Op is one operation.
type Op struct {
	From services.Session
	Req  *api.Command
	// Changes marks an operation that may change the workspace: it
	// broadcasts its state and output, and its files are put back if it
	// fails.
	Changes bool
	// Do does it with the workspace's backend and returns the reply (nil
	// for `ok`).
	Do func(ctx context.Context, b packager.Backend, w packager.Workspace) (*api.Command, error)
}

// Worker runs one channel's operations.
type Worker struct {
	cfg Config
	sup *jobs.Supervisor
	ch  services.Channel

	wake chan struct{}

	mu     sync.Mutex
	queue  []Op
	busy   bool               // a changing operation runs (state Running)
	jobs   map[*jobs.Job]bool // the tools running now
	closed bool
}

// New starts the worker of ch.
func New(cfg Config, ch services.Channel) (*Worker, error) {
	if err := cfg.Deps.Check(ch.Info().Service); err != nil {
		return nil, err
	}
	if cfg.Backends == nil {
		cfg.Backends = Backends()
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 60 * time.Second}
	}
	w := &Worker{cfg: cfg, sup: jobs.New(cfg.Deps, ch), ch: ch, wake: make(chan struct{}, 1), jobs: map[*jobs.Job]bool{}}
	if !ch.Go(w.loop) {
		return nil, jobs.ErrClosed
	}
	return w, nil
}

// Attach tells s whether an operation runs.
func (w *Worker) Attach(s services.Session) {
	w.mu.Lock()
	busy := w.busy
	w.mu.Unlock()
	services.To(w.ch, s.ID, services.State(busy))
}

// Submit queues op; it runs once those before it (in this channel, and
// any operation on the workspace elsewhere) are done.
func (w *Worker) Submit(op Op) {
	w.mu.Lock()
	w.queue = append(w.queue, op)
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Query runs a read-only request (search, info) now, on a goroutine of
// its own, and replies to its sender.
func (w *Worker) Query(from services.Session, req *api.Command, do func(ctx context.Context, b packager.Backend, ws packager.Workspace) (*api.Command, error)) {
	w.ch.Go(func(ctx context.Context) {
		ws := w.workspace(ctx, false)
		var reply *api.Command
		b, err := packager.Choose(w.cfg.Deps.Workspace, w.cfg.Deps.Language, w.cfg.Backends)
		if err == nil {
			reply, err = do(ctx, b, ws)
		}
		w.answer(ctx, from, req, reply, err)
	})
}

func (w *Worker) loop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.wake:
		}
		for {
			w.mu.Lock()
			if len(w.queue) == 0 || w.closed {
				w.mu.Unlock()
				break
			}
			op := w.queue[0]
			w.queue = w.queue[1:]
			w.mu.Unlock()
			w.run(ctx, op)
		}
	}
}

// run runs op holding the workspace's lock.
func (w *Worker) run(ctx context.Context, op Op) {
	dir := w.cfg.Deps.Workspace
	unlock, err := packager.Lock(ctx, dir.Path())
	if err != nil {
		return // the channel closed while op waited
	}
	defer unlock()
	ws := w.workspace(ctx, op.Changes)
	b, err := packager.Choose(dir, w.cfg.Deps.Language, w.cfg.Backends)
	if err != nil {
		w.answer(ctx, op.From, op.Req, nil, err)
		return
	}
	var saved *packager.Saved
	if op.Changes {
		if saved, err = packager.Save(dir, b.Files(ws)); err != nil {
			w.answer(ctx, op.From, op.Req, nil, err)
			return
		}
		w.setRunning(ctx, true)
	}
	reply, err := op.Do(ctx, b, ws)
	if saved != nil && (err != nil || ctx.Err() != nil) {
		if rerr := saved.Restore(); rerr != nil {
			w.ch.Logger().Error("packager: cannot put the spec and lock files back", "err", rerr)
			err = errors.Join(err, rerr)
		}
	}
	w.answer(ctx, op.From, op.Req, reply, err)
	if op.Changes {
		w.setRunning(ctx, false)
	}
}

func (w *Worker) setRunning(ctx context.Context, running bool) {
	w.mu.Lock()
	w.busy = running
	w.mu.Unlock()
	if ctx.Err() == nil {
		services.Broadcast(w.ch, services.State(running))
	}
}

// answer replies to req's sender: reply, `ok` when reply is nil, or the
// error. Nothing is sent once the channel has closed.
func (w *Worker) answer(ctx context.Context, from services.Session, req *api.Command, reply *api.Command, err error) {
	if ctx.Err() != nil {
		return
	}
	switch {
	case err != nil:
		reply = services.ErrorCommand(Message(err))
	case reply == nil:
		reply = services.OK()
	}
	services.Reply(w.ch, from, req, reply)
}

// Message is how err is shown to the client: its text, except for
// pid1's own faults (services.KindInternal), which are not detailed.
func Message(err error) string {
	if services.KindOf(err) == services.KindInternal {
		return "packager: internal error"
	}
	return err.Error()
}

// Drain stops what is queued and asks the running tool to end.
func (w *Worker) Drain(ctx context.Context) {
	w.mu.Lock()
	w.queue = nil
	running := w.running()
	w.mu.Unlock()
	jobs.TerminateAll(ctx, running...)
}

// Close kills the running tool; the operation puts the files back.
func (w *Worker) Close() {
	w.mu.Lock()
	w.closed = true
	w.queue = nil
	running := w.running()
	w.mu.Unlock()
	for _, j := range running {
		j.Stop()
	}
}

// running lists the tools running now; call it holding mu.
func (w *Worker) running() []*jobs.Job {
	out := make([]*jobs.Job, 0, len(w.jobs))
	for j := range w.jobs {
		out = append(out, j)
	}
	return out
}

// ignored reads the workspace's [packager] ignoredPackages and
// ignoredPaths.
func (w *Worker) ignored() (pkgs, paths []string) {
	cfg, err := language.PackagerConfig(w.cfg.Deps.Workspace)
	if err != nil {
		return nil, nil
	}
	return cfg.IgnoredPackages, cfg.IgnoredPaths
}

// Hint sends text to one session as a hint (no ref: it is not the reply).
func (w *Worker) Hint(to services.Session, text string) {
	services.To(w.ch, to.ID, &api.Command{Body: &api.Command_Hint{Hint: &api.Hint{Text: text}}})
}

// OK answers req with `ok` now.
func (w *Worker) OK(to services.Session, req *api.Command) {
	services.Reply(w.ch, to, req, services.OK())
}

// Say broadcasts text as output (a running operation's own words).
func (w *Worker) Say(text string) {
	services.Broadcast(w.ch, &api.Command{Body: &api.Command_Output{Output: text}})
}
