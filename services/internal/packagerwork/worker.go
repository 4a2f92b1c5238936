package packagerwork

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/internal/jobs"
	"github.com/pid1/pid1/internal/language"
	"github.com/pid1/pid1/internal/packager"
	"github.com/pid1/pid1/internal/packager/golang"
	"github.com/pid1/pid1/internal/packager/nodejs"
	"github.com/pid1/pid1/internal/packager/python"
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
	// StopsWithSender marks an operation done for its sender alone (its
	// answer goes to nobody else): if the sender leaves the channel before
	// it ends, it is dropped from the queue or, if it runs, stopped as a
	// closing channel stops it (its tool killed, its files put back).
	// Other senders' operations go on.
	StopsWithSender bool
	// Do does it with the workspace's backend and returns the reply (nil
	// for `ok`).
	Do func(ctx context.Context, b packager.Backend, w packager.Workspace) (*api.Command, error)
}

// current is the operation the worker runs now.
type current struct {
	op     Op
	cancel context.CancelFunc // stops it
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
	cur    *current           // the operation taken from the queue, until it ends
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
			opCtx, cancel := context.WithCancel(ctx)
			w.cur = &current{op: op, cancel: cancel}
			w.mu.Unlock()
			w.run(ctx, opCtx, op)
			cancel()
			w.mu.Lock()
			w.cur = nil
			w.mu.Unlock()
		}
	}
}

// run runs op holding the workspace's lock. chCtx ends when the channel
// closes, ctx also when op is stopped for its sender (Detach).
func (w *Worker) run(chCtx, ctx context.Context, op Op) {
	dir := w.cfg.Deps.Workspace
	unlock, err := packager.Lock(ctx, dir.Path())
	if err != nil {
		return // the channel closed, or the sender left, while op waited
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
		w.setRunning(chCtx, true)
	}
	reply, err := op.Do(ctx, b, ws)
	var restoreErr error
	if saved != nil && (err != nil || ctx.Err() != nil) {
		if restoreErr = saved.Restore(); restoreErr != nil {
			w.ch.Logger().Error("packager: cannot put the spec and lock files back", "err", restoreErr)
			err = errors.Join(err, restoreErr)
		}
	}
	if left := chCtx.Err() == nil && ctx.Err() != nil; left {
		// Nobody is left to answer; the others see why it ended.
		if op.Changes {
			files := "the spec and lock files are as they were"
			if restoreErr != nil {
				files = Message(restoreErr)
			}
			w.Say("stopped: the session that asked for it left; " + files + "\n")
		}
	} else {
		w.answer(ctx, op.From, op.Req, reply, err)
	}
	if op.Changes {
		w.setRunning(chCtx, false)
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

// Detach drops the operations of s that stop with their sender from the
// queue, and stops the one that runs, if it is one of them.
func (w *Worker) Detach(s services.Session) {
	w.mu.Lock()
	w.queue = slices.DeleteFunc(w.queue, func(op Op) bool { return op.StopsWithSender && op.From.ID == s.ID })
	var stop context.CancelFunc
	if c := w.cur; c != nil && c.op.StopsWithSender && c.op.From.ID == s.ID {
		stop = c.cancel
	}
	w.mu.Unlock()
	if stop != nil {
		stop()
	}
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
