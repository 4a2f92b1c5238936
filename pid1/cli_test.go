package main

import (
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/pid1/pid1/test/kit/testutil"
)

// startPlain runs pid1 as an ordinary process (not PID 1).
func startPlain(t *testing.T) (addr, stateDir string) {
	t.Helper()
	p := startProcess(t)
	return p.addr, p.state
}

// plainPID1 is pid1 running as an ordinary process.
type plainPID1 struct {
	addr, state, workspace string
	cmd                    *exec.Cmd
	logs                   *testutil.Buffer
}

// startProcess runs pid1 on a fresh workspace and waits until it serves.
// It is stopped with SIGTERM when the test ends, unless it was killed.
func startProcess(t *testing.T) *plainPID1 {
	t.Helper()
	dir := t.TempDir()
	return startOn(t, filepath.Join(dir, "ws"), filepath.Join(dir, "state"))
}

// startOn runs pid1 on workspace and state with extra flags (which win
// over the defaults here: -metrics-listen ADDR turns metrics on).
func startOn(t *testing.T, workspace, state string, flags ...string) *plainPID1 {
	t.Helper()
	p := &plainPID1{addr: freeAddr(t), state: state, workspace: workspace, logs: &testutil.Buffer{}}
	args := []string{"-listen", p.addr, "-workspace", workspace, "-state-dir", state, "-print-url=false", "-metrics-listen="}
	p.cmd = exec.Command(pid1Binary(t), append(args, flags...)...)
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.cmd.Process.Signal(syscall.SIGTERM)
		p.cmd.Wait()
		if t.Failed() {
			t.Logf("pid1 output:\n%s", p.logs.String())
		}
	})
	for deadline := time.Now().Add(20 * time.Second); ; {
		if resp, err := http.Get("http://" + p.addr + "/healthz"); err == nil {
			resp.Body.Close()
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("pid1 did not start:\n%s", p.logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func token(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(pid1Binary(t), append([]string{"token"}, args...)...).Output()
	if err != nil {
		t.Fatalf("pid1 token %v: %v", args, err)
	}
	return strings.TrimSpace(string(out))
}

func dialStatus(t *testing.T, url string) int {
	t.Helper()
	c, resp, err := websocket.Dial(t.Context(), url, nil)
	if err == nil {
		c.CloseNow()
		return http.StatusSwitchingProtocols
	}
	if resp == nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	return resp.StatusCode
}

func TestTokensAgainstTheRealServer(t *testing.T) {
	t.Parallel()
	addr, state := startPlain(t)
	base := "ws://" + addr + "/wsv2/"
	good := token(t, "-state-dir", state, "-user", "ann")
	if code := dialStatus(t, base+good); code != http.StatusSwitchingProtocols {
		t.Fatalf("valid token: HTTP %d", code)
	}
	if url := token(t, "-state-dir", state, "-listen", addr, "-ws-url"); !strings.HasPrefix(url, base+"v2.public.") {
		t.Fatalf("-ws-url printed %q", url)
	}
	if url := token(t, "-state-dir", state, "-listen", addr, "-url"); !strings.HasPrefix(url, "http://"+addr+"/#token=v2.public.") {
		t.Fatalf("-url printed %q", url)
	}
	short := token(t, "-state-dir", state, "-ttl", "1s")
	otherKey := token(t, "-state-dir", filepath.Join(t.TempDir(), "other"))
	time.Sleep(1100 * time.Millisecond)
	for name, tok := range map[string]string{
		"missing":       "",
		"malformed":     "not-a-token",
		"expired":       short,
		"other key":     otherKey,
		"tampered":      good[:len(good)-6] + "AAAAAA",
		"wrong version": strings.Replace(good, "v2.public.", "v4.public.", 1),
	} {
		if code := dialStatus(t, base+tok); code != http.StatusUnauthorized {
			t.Errorf("%s token: HTTP %d, want 401", name, code)
		}
	}
	// The refusal says why.
	resp, err := http.Get("http://" + addr + "/wsv2/" + short)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(b), "expired") {
		t.Fatalf("expired token refusal: %d %q", resp.StatusCode, b)
	}
}

func TestCommandLineErrors(t *testing.T) {
	t.Parallel()
	bin := pid1Binary(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-no-such-flag"}, "flag provided but not defined"},
		{[]string{"stray"}, `unexpected arguments ["stray"]`},
		{[]string{"-log-format", "xml", "-state-dir", t.TempDir()}, "-log-format must be text or json"},
		{[]string{"token", "-ttl", "-1s"}, "-ttl must be positive"},
		{[]string{"-workspace", "/tmp/pid1-ws-x", "-state-dir", "/tmp/pid1-ws-x/state"}, "inside the workspace"},
	} {
		out, err := exec.Command(bin, tc.args...).CombinedOutput()
		if err == nil || !strings.Contains(string(out), tc.want) {
			t.Errorf("pid1 %v: err=%v output %q, want %q", tc.args, err, out, tc.want)
		}
	}
}
