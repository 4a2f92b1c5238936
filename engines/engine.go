package engines

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/pid1/pid1/engines/perclient"
	"github.com/pid1/pid1/runners"
	"github.com/pid1/pid1/sandbox"
)

// Config configures an Engine.
type Config struct {
	Sandbox *sandbox.Sandbox // runs the programs; the caller closes it
	Catalog Catalog          // the languages; Runners(set) for the built-in ones
	Limits  Limits           // zero: DefaultLimits
	// PerClient limits each Request.Client's runs (at once and a minute);
	// zero fields are no limit.
	PerClient perclient.Config
	Log       *slog.Logger
}

// Engine turns Requests into sandboxed Runs.
type Engine struct {
	sb      *sandbox.Sandbox
	catalog Catalog
	limits  Limits
	clients *perclient.Limiter
	log     *slog.Logger
	close   func() // what Open started
}

// New makes an Engine.
func New(cfg Config) (*Engine, error) {
	if cfg.Sandbox == nil || cfg.Catalog == nil {
		return nil, errors.New("engines: Config needs a Sandbox and a Catalog")
	}
	if cfg.Limits == (Limits{}) {
		cfg.Limits = DefaultLimits
	}
	if err := cfg.Limits.check(); err != nil {
		return nil, err
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	pc := cfg.PerClient
	if pc.What == "" {
		pc.What = "runs"
	}
	return &Engine{sb: cfg.Sandbox, catalog: cfg.Catalog, limits: cfg.Limits,
		clients: perclient.New(pc), log: cfg.Log}, nil
}

// Languages lists the languages this engine can run now.
func (e *Engine) Languages() []Language {
	return slices.DeleteFunc(e.catalog.Languages(), func(l Language) bool { return !l.Available })
}

// Limits are the engine's bounds on requests.
func (e *Engine) Limits() Limits { return e.limits }

// Start checks req and starts running it; the run ends by itself, by
// Kill, or when ctx ends. Start fails at once for a request no engine
// would run (ErrInvalid, ErrNULByte), a language it cannot run
// (ErrUnknownLanguage, ErrUnavailable) and a client over its limits
// (ErrLimited, with a *perclient.Refusal); a full queue (ErrBusy) or a
// run that cannot be started shows as the Err of its Done event.
func (e *Engine) Start(ctx context.Context, req Request) (*Run, error) {
	if err := req.validate(e.limits); err != nil {
		return nil, err
	}
	req = req.withDefaults(e.limits)
	files := make([]sandbox.File, len(req.Files))
	for i, f := range req.Files {
		files[i] = sandbox.File{Path: f.Name, Data: f.Data}
	}
	outCap := max(req.StdoutCap, req.StderrCap)
	spec, err := e.catalog.Spec(req.Language, runners.Request{
		Code: req.Code, Input: req.Input, Options: req.Options, Arguments: req.Arguments, Files: files,
		Limits: sandbox.Limits{Wall: req.Timeout, Output: outCap}, Name: req.Name, Shell: req.Shell,
	})
	if err != nil {
		switch {
		case errors.Is(err, runners.ErrUnavailable):
			return nil, ErrUnavailable
		case errors.Is(err, ErrUnknownLanguage) || errors.Is(err, ErrUnavailable):
			return nil, err
		case errors.Is(err, runners.ErrBadRequest):
			return nil, invalid("%s", strings.TrimPrefix(err.Error(), "runners: "))
		}
		return nil, fmt.Errorf("engines: %s: %w", req.Language, err)
	}
	if req.Stdin != nil {
		spec.Stdin = req.Stdin
	}
	spec.Env = withEnv(spec.Env, req.Env)
	release, err := e.clients.Acquire(req.Client)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrLimited, err)
	}

	runCtx, cancel := context.WithCancelCause(ctx)
	r := &Run{s: newStream(req.ChunkSize), cancel: func() { cancel(errKilled) }}
	overCap := func() {
		if req.KillOnTruncate {
			cancel(errOutputCap)
		}
	}
	stdout := &output{s: r.s, kind: Stdout, cap: req.StdoutCap, over: overCap}
	stderr := &output{s: r.s, kind: Stderr, cap: req.StderrCap, over: overCap}
	spec.Stdout, spec.Stderr = stdout, stderr
	// The sandbox caps both streams at the larger cap (and kills there
	// when asked); output caps the smaller one itself.
	spec.Limits.Wall, spec.Limits.Output = req.Timeout, outCap
	spec.Limits.KillOnOutputLimit = req.KillOnTruncate

	spec.Started = func() { r.s.push(Started, nil) }
	go func() {
		defer cancel(nil)
		res, err := e.sb.Run(runCtx, spec)
		if err != nil {
			if errors.Is(err, sandbox.ErrQueueFull) || errors.Is(err, sandbox.ErrClosed) {
				err = fmt.Errorf("%w: %w", ErrBusy, err)
			} else if runCtx.Err() == nil {
				e.log.Error("a run could not start", "language", req.Language, "err", err)
			}
			release() // before the consumer hears of the end
			r.s.fail(err)
			return
		}
		out := result(res, context.Cause(runCtx))
		out.StdoutTruncated = out.StdoutTruncated || stdout.truncated.Load()
		out.StderrTruncated = out.StderrTruncated || stderr.truncated.Load()
		release()
		r.s.finish(out)
	}()
	return r, nil
}

// result is the core's view of a sandbox result; cause is why the run's
// context ended, if it did.
func result(res sandbox.Result, cause error) *Result {
	out := &Result{
		Status: Status(res.Status.String()), Value: res.Value,
		TimedOut: res.TimedOut, Limit: res.Limit,
		StdoutTruncated: res.StdoutTruncated, StderrTruncated: res.StderrTruncated,
		Real: res.Real, User: res.User, Kernel: res.Kernel, MaxMemKiB: res.MaxMemKiB,
		Waits: res.Waits, Preemptions: res.Preemptions,
		MajorPageFaults: res.MajorPageFaults, MinorPageFaults: res.MinorPageFaults,
		InputOps: res.InputOps, OutputOps: res.OutputOps,
	}
	for _, f := range res.Files {
		out.Files = append(out.Files, File{Name: f.Path, Data: f.Data})
	}
	switch {
	case res.TimedOut:
	case cause == errOutputCap:
		out.Limit = sandbox.LimitOutput
	case cause != nil: // Kill, or the caller went away
		out.Killed = true
	}
	return out
}

// withEnv is env with the variables of add, each replacing one of the
// same name.
func withEnv(env, add []string) []string {
	if len(add) == 0 {
		return env
	}
	out := slices.Clone(env)
	for _, kv := range add {
		k, _, _ := strings.Cut(kv, "=")
		out = slices.DeleteFunc(out, func(e string) bool { return strings.HasPrefix(e, k+"=") })
		out = append(out, kv)
	}
	return out
}

// The causes the engine cancels a run's context with.
var (
	errKilled    = errors.New("engines: run killed")
	errOutputCap = errors.New("engines: output over its cap")
)
