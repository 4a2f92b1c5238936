// Package enginetest starts what the engines' tests run on: a real
// sandbox on a private reaper, and Shell, a language whose program is a
// POSIX shell script, for testing the core and the adapters before (and
// beside) the built-in runners. Runs through it are real sandboxed runs.
package enginetest

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/pid1/pid1/engines"
	"github.com/pid1/pid1/internal/reaper"
	"github.com/pid1/pid1/runners"
	"github.com/pid1/pid1/sandbox"
)

// Sandbox returns a Sandbox on its own reaper, both stopped when the test
// ends. The engines' tests run as root, as CI does.
func Sandbox(t testing.TB, cfg sandbox.Config) *sandbox.Sandbox {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("the engines' tests run sandboxed programs, which needs root (as in CI)")
	}
	r := reaper.New(reaper.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { r.Run(ctx) })
	cfg.Reaper = r
	if cfg.CgroupParent == "" {
		// Run cgroups are named by slot and a per-Sandbox count, so two
		// Sandboxes under one parent (parallel tests, or test binaries
		// of several packages at once) would collide: each gets its own.
		cfg.CgroupParent = fmt.Sprintf("pid1-enginetest-%d-%d", os.Getpid(), sandboxes.Add(1))
		t.Cleanup(func() { removeCgroups(cfg.CgroupParent) })
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	sb, err := sandbox.New(cfg)
	if err != nil {
		cancel()
		wg.Wait()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sb.Close()
		r.Terminate(context.Background(), 0)
		cancel()
		wg.Wait()
	})
	return sb
}

var sandboxes atomic.Int64

// removeCgroups removes a test sandbox's (empty) parent cgroup from every
// hierarchy.
func removeCgroups(parent string) {
	dirs, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", parent))
	for _, d := range append(dirs, filepath.Join("/sys/fs/cgroup", parent)) {
		_ = os.Remove(d)
	}
}

// ShellID is the id of Shell's one language.
const ShellID = "sh"

// Shell is a Catalog with one language, ShellID: the code is a script
// for /bin/sh, the options go to sh before it, the arguments after it ($1
// …), the input is its standard input.
var Shell engines.Catalog = shell{}

type shell struct{}

func (shell) Languages() []engines.Language {
	return []engines.Language{{ID: ShellID, Name: "POSIX shell", Image: "debian", Version: "dash", URL: "https://pubs.opengroup.org/onlinepubs/9799919799/utilities/sh.html",
		HelloWorld: &engines.Example{Code: "echo Hello, World!", Output: "Hello, World!\n"}, Available: true}}
}

func (shell) Spec(id string, req runners.Request) (sandbox.Spec, error) {
	if id != ShellID {
		return sandbox.Spec{}, engines.ErrUnknownLanguage
	}
	argv := append([]string{"/bin/sh"}, req.Options...)
	argv = append(argv, "code.sh")
	argv = append(argv, req.Arguments...)
	return sandbox.Spec{
		Argv:   argv,
		Files:  append([]sandbox.File{{Path: "code.sh", Data: req.Code}}, req.Files...),
		Stdin:  bytes.NewReader(req.Input),
		Limits: req.Limits,
	}, nil
}

// Engine is an engine over a test sandbox and cat (Shell when nil).
func Engine(t testing.TB, cat engines.Catalog, sbCfg sandbox.Config, cfg engines.Config) *engines.Engine {
	t.Helper()
	if cat == nil {
		cat = Shell
	}
	cfg.Sandbox = Sandbox(t, sbCfg)
	cfg.Catalog = cat
	e, err := engines.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}
