// Package enginetest starts what the engines' tests run on: a real
// sandbox and the built-in languages.
package enginetest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/pid1/pid1/engines"
	"github.com/pid1/pid1/runners"
	"github.com/pid1/pid1/sandbox"
	"github.com/pid1/pid1/sandbox/sandboxtest"
)

// Sandbox returns a Sandbox (sandboxtest's) under a parent cgroup of its
// own: run cgroups are named by slot and a per-Sandbox count, so two
// Sandboxes under one parent (parallel tests, or the test binaries of
// several packages at once) would collide.
func Sandbox(t testing.TB, cfg sandbox.Config) *sandbox.Sandbox {
	t.Helper()
	if cfg.CgroupParent == "" {
		cfg.CgroupParent = fmt.Sprintf("pid1-enginetest-%d-%d", os.Getpid(), sandboxes.Add(1))
		t.Cleanup(func() { removeCgroups(cfg.CgroupParent) })
	}
	return sandboxtest.New(t, cfg)
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

var probed struct {
	once sync.Once
	set  *runners.Set
}

// Runners are the built-in languages, probed once per test binary (in a
// sandbox of the first caller's): the Set does not hold on to it.
func Runners(t testing.TB) engines.Catalog {
	t.Helper()
	probed.once.Do(func() {
		probed.set = runners.Default(context.Background(), Sandbox(t, sandbox.Config{}), runners.Options{})
	})
	return engines.Runners(probed.set)
}

// Engine is an engine over a sandbox of its own and the built-in
// languages.
func Engine(t testing.TB, sbCfg sandbox.Config, cfg engines.Config) *engines.Engine {
	t.Helper()
	cfg.Catalog = Runners(t)
	cfg.Sandbox = Sandbox(t, sbCfg)
	e, err := engines.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}
