package testutil

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// NodeDir returns the absolute path of test/node after checking that node
// and the npm package pkg (such as "@replit/crosis") are installed there.
// PID1_SKIP_NODE=1 skips the test instead.
func NodeDir(t testing.TB, pkg string) string {
	t.Helper()
	if os.Getenv("PID1_SKIP_NODE") == "1" {
		t.Skip("PID1_SKIP_NODE=1")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("node is not installed; `make test` installs it as root (Debian nodejs)")
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
	nodeDir := filepath.Join(dir, "test", "node")
	if _, err := os.Stat(filepath.Join(nodeDir, "node_modules", filepath.FromSlash(pkg))); err != nil {
		t.Fatalf("%s is not in test/node/node_modules: run `npm ci --prefix test/node` (make test does)", pkg)
	}
	return nodeDir
}
