//go:build linux

// Package sandboxtest starts a real Sandbox for the tests of packages built
// on it (runners, the engines, benchmarks). The test binary is its own
// helper: it links package sandbox, whose init catches the re-execution.
package sandboxtest

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"testing"

	"github.com/pid1/pid1/internal/reaper"
	"github.com/pid1/pid1/sandbox"
)

// New returns a Sandbox on a running Reaper, both stopped when the test
// ends. It skips the test when not root: the sandbox tests run as root, as
// CI does. cfg.Reaper is filled in.
func New(t testing.TB, cfg sandbox.Config) *sandbox.Sandbox {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("sandboxed runs are tested as root (as CI does)")
	}
	r := reaper.New(reaper.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { r.Run(ctx) })
	cfg.Reaper = r
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	s, err := sandbox.New(cfg)
	if err != nil {
		cancel()
		wg.Wait()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		r.Terminate(context.Background(), 0)
		cancel()
		wg.Wait()
	})
	return s
}
