package engines

import (
	"context"
	"log/slog"
	"os"

	"github.com/pid1/pid1/engines/perclient"
	"github.com/pid1/pid1/internal/reaper"
	"github.com/pid1/pid1/runners"
	"github.com/pid1/pid1/sandbox"
)

// Setup is how Open builds an engine.
type Setup struct {
	// Reaper starts the sandbox's helpers; nil makes a private one that
	// waits for its own children only (for embedding).
	Reaper *reaper.Reaper
	// SandboxDir is where runs' roots are mounted (default the temporary
	// directory); CgroupParent the cgroup runs' cgroups go under (default
	// the sandbox's).
	SandboxDir, CgroupParent string
	// MaxRuns and MaxQueue are the sandbox's (default: one run per CPU,
	// four times as many waiting).
	MaxRuns, MaxQueue int
	// PerClient limits each Request.Client's runs.
	PerClient perclient.Config
	Runners   runners.Options
	Log       *slog.Logger
}

// Open starts a sandbox, finds the built-in languages that run in it,
// and returns an engine over them that owns both: Close releases them.
func Open(ctx context.Context, s Setup) (*Engine, error) {
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
	stop := func() {}
	if s.Reaper == nil {
		s.Reaper = reaper.New(reaper.Options{Logger: s.Log.With("component", "reaper")})
		rctx, cancel := context.WithCancel(context.Background())
		go s.Reaper.Run(rctx)
		stop = cancel
	}
	if s.SandboxDir == "" {
		s.SandboxDir = os.TempDir()
	}
	sb, err := sandbox.New(sandbox.Config{Reaper: s.Reaper, Dir: s.SandboxDir, CgroupParent: s.CgroupParent,
		MaxRuns: s.MaxRuns, MaxQueue: s.MaxQueue, Log: s.Log.With("component", "sandbox")})
	if err != nil {
		stop()
		return nil, err
	}
	e, err := New(Config{Sandbox: sb, Catalog: Runners(runners.Default(ctx, sb, s.Runners)),
		PerClient: s.PerClient, Log: s.Log.With("component", "engines")})
	if err != nil {
		sb.Close()
		stop()
		return nil, err
	}
	e.close = func() {
		sb.Close()
		stop()
	}
	return e, nil
}

// Close kills every run and releases what Open started; for an engine
// made with New it does nothing (its caller owns the sandbox).
func (e *Engine) Close() {
	if e.close != nil {
		e.close()
	}
}

// Sandbox is the sandbox the engine runs programs in (for its metrics).
func (e *Engine) Sandbox() *sandbox.Sandbox { return e.sb }
