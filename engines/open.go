package engines

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"

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
	// one of the engine's own under the process's cgroup, removed by
	// Close).
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
	var ownParent string
	if s.CgroupParent == "" {
		s.CgroupParent = cgroupParent()
		ownParent = s.CgroupParent
	}
	sb, err := sandbox.New(sandbox.Config{Reaper: s.Reaper, Dir: s.SandboxDir, CgroupParent: s.CgroupParent,
		MaxRuns: s.MaxRuns, MaxQueue: s.MaxQueue, Log: s.Log.With("component", "sandbox")})
	if err != nil {
		removeCgroup(ownParent)
		stop()
		return nil, err
	}
	e, err := New(Config{Sandbox: sb, Catalog: Runners(runners.Default(ctx, sb, s.Runners)),
		PerClient: s.PerClient, Log: s.Log.With("component", "engines")})
	if err != nil {
		sb.Close()
		removeCgroup(ownParent)
		stop()
		return nil, err
	}
	e.close = func() {
		sb.Close()
		removeCgroup(ownParent)
		stop()
	}
	return e, nil
}

// cgroupParent is a parent cgroup of this engine's own under the
// process's cgroup (its memory controller's, or the unified one's). The
// sandbox names run cgroups by slot and count, so two sandboxes under one
// parent (two pid1 processes in one container, tests running side by
// side) would take each other's names. "" leaves the sandbox's default.
func cgroupParent() string {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return ""
	}
	own, found := "", false
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.SplitN(line, ":", 3)
		if len(f) != 3 {
			continue
		}
		if slices.Contains(strings.Split(f[1], ","), "memory") {
			own, found = f[2], true
			break
		}
		if f[0] == "0" && f[1] == "" {
			own, found = f[2], true
		}
	}
	if !found {
		return ""
	}
	return path.Join(own, fmt.Sprintf("pid1-sandbox-%d-%d", os.Getpid(), opened.Add(1)))
}

var opened atomic.Int64

// removeCgroup removes an (empty) parent cgroup from every hierarchy.
func removeCgroup(parent string) {
	if parent == "" {
		return
	}
	dirs, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", parent))
	for _, d := range append(dirs, filepath.Join("/sys/fs/cgroup", parent)) {
		_ = os.Remove(d)
	}
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
