//go:build linux

// Package sandboxtest starts a real Sandbox for the tests of packages built
// on it (runners, the engines, benchmarks), with the helper pid1 ships
// (cmd/pid1-sandbox-helper, built once per test binary). Where it cannot
// be built, the test binary is its own helper: it links package sandbox,
// whose init catches the re-execution.
package sandboxtest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
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
	if cfg.HelperPath == "" {
		cfg.HelperPath = helper()
	}
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

var (
	helperOnce sync.Once
	helperPath = "/proc/self/exe"
)

// helper builds the helper binary once per process into a directory that
// lives as long as the process (a test binary's temporary files go with
// its machine's /tmp cleaning).
func helper() string {
	helperOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sandboxtest-helper-")
		if err == nil {
			var p string
			if p, err = BuildHelper(dir); err == nil {
				helperPath = p
				return
			}
		}
		fmt.Fprintf(os.Stderr, "sandboxtest: the test binary is its own helper: %v\n", err)
	})
	return helperPath
}

// BuildHelper builds the helper binary (cmd/pid1-sandbox-helper) as pid1's
// build does into dir and returns its path.
func BuildHelper(dir string) (string, error) {
	bin := filepath.Join(dir, sandbox.HelperName)
	cmd, err := sandbox.HelperBuild(bin)
	if err != nil {
		return "", err
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build %s: %v: %w\n%s", sandbox.HelperName, cmd.Args, err, out)
	}
	return bin, nil
}
