package e2e

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pid1/pid1/test/kit/testutil"
)

// buildPID1 compiles ./pid1 into dir.
func buildPID1(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "pid1")
	if out, err := exec.Command("go", "build", "-o", bin, "../../pid1").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

var servingRE = regexp.MustCompile(`msg="pid1 serving" addr=(\S+)`)

// startPID1 runs the binary on an ephemeral port and returns the address
// it reports once it serves.
func startPID1(t *testing.T, bin, stateDir, workspace string) string {
	t.Helper()
	cmd := exec.Command(bin, "-subreaper", "-listen", "127.0.0.1:0", "-workspace", workspace,
		"-state-dir", stateDir, "-print-url=false", "-metrics-listen=")
	// The shell service runs bash, which reads ~/.bashrc: an empty home
	// keeps this machine's start-up files (which may hang) out of the test.
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var logs strings.Builder
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logs.WriteString(sc.Text() + "\n")
			if m := servingRE.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
				break
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	})
	select {
	case a := <-addr:
		return a
	case <-time.After(30 * time.Second):
		t.Fatalf("pid1 did not report its address")
	}
	return ""
}

// TestCrosis runs test/node/crosis.test.mjs against a real pid1.
func TestCrosis(t *testing.T) {
	nodeDir := testutil.NodeDir(t, "@replit/crosis")
	dir := t.TempDir()
	bin := buildPID1(t, dir)
	state := filepath.Join(dir, "state")
	addr := startPID1(t, bin, state, filepath.Join(dir, "workspace"))

	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "--test", "--test-timeout=60000", "--test-reporter=spec", "crosis.test.mjs")
	cmd.Dir = nodeDir
	// HOME: the pid1s the tests start run shells, which must not read
	// the machine's start-up files (see startPID1).
	cmd.Env = append(os.Environ(), "PID1_ADDR="+addr, "PID1_BIN="+bin, "PID1_STATE_DIR="+state, "NO_COLOR=1", "HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	t.Logf("node --test crosis.test.mjs:\n%s", out)
	if err != nil {
		t.Fatalf("crosis tests failed: %v", err)
	}
	if !strings.Contains(string(out), "ℹ fail 0") || strings.Contains(string(out), "ℹ pass 0") {
		t.Fatalf("the node output does not report passing tests and no failures")
	}
}
