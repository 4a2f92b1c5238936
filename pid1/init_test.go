package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/test/kit/testutil"
)

// These tests run the real pid1 binary as PID 1 of a new PID namespace
// (unshare --user --map-root-user --pid --fork) and look at it from outside.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func pid1Binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "pid1-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "pid1")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func needUnshare(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("unshare (util-linux) is not installed")
	}
	if err := exec.Command("unshare", "--user", "--map-root-user", "--pid", "--fork", "true").Run(); err != nil {
		t.Skipf("this kernel or sandbox refuses user+pid namespaces: %v", err)
	}
}

type namespacedPID1 struct {
	cmd      *exec.Cmd
	addr     string
	stateDir string
	logs     *testutil.Buffer
	exited   chan struct{}
	waitErr  error
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startPID1 starts pid1 as PID 1 with extra flags and an optional startup
// command, and waits until it answers /healthz.
func startPID1(t *testing.T, flags []string, startup ...string) *namespacedPID1 {
	t.Helper()
	needUnshare(t)
	bin := pid1Binary(t)
	dir := t.TempDir()
	p := &namespacedPID1{addr: freeAddr(t), stateDir: filepath.Join(dir, "state"), logs: &testutil.Buffer{}, exited: make(chan struct{})}
	args := []string{"--user", "--map-root-user", "--pid", "--fork", "--kill-child", bin,
		"-listen", p.addr, "-workspace", filepath.Join(dir, "ws"), "-state-dir", p.stateDir,
		"-print-url=false", "-metrics-listen=", "-log-level", "debug"}
	args = append(args, flags...)
	if len(startup) > 0 {
		args = append(append(args, "--"), startup...)
	}
	p.cmd = exec.Command("unshare", args...)
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.waitErr = p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			p.cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			t.Logf("pid1 output:\n%s", p.logs.String())
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get("http://" + p.addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		select {
		case <-p.exited:
			t.Fatalf("pid1 exited before serving: %v\n%s", p.waitErr, p.logs.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("pid1 did not become healthy\n%s", p.logs.String())
		}
	}
}

// hostPID is pid1's pid as seen from outside the namespace: unshare's child.
func (p *namespacedPID1) hostPID(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", p.cmd.Process.Pid, p.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b))
	if len(f) != 1 {
		t.Fatalf("unshare has children %q, want exactly pid1", f)
	}
	pid, _ := strconv.Atoi(f[0])
	return pid
}

// children lists pid's child processes and their states (R, S, Z, ...).
func children(pid int) map[int]string {
	out := map[int]string{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", n))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...; comm may hold spaces, so cut at ')'.
		s := string(b)
		rest := s[strings.LastIndexByte(s, ')')+2:]
		f := strings.Fields(rest)
		if len(f) > 1 && f[1] == strconv.Itoa(pid) {
			out[n] = f[0]
		}
	}
	return out
}

func (p *namespacedPID1) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := syscall.Kill(p.hostPID(t), sig); err != nil {
		t.Fatal(err)
	}
}

func (p *namespacedPID1) waitLog(t *testing.T, substr string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(p.logs.String(), substr) {
		if time.Now().After(deadline) {
			t.Fatalf("pid1 never logged %q", substr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (p *namespacedPID1) exitCode(t *testing.T, within time.Duration) int {
	t.Helper()
	select {
	case <-p.exited:
	case <-time.After(within):
		t.Fatalf("pid1 did not exit within %v", within)
	}
	var ee *exec.ExitError
	if errors.As(p.waitErr, &ee) {
		return ee.ExitCode()
	}
	if p.waitErr != nil {
		t.Fatal(p.waitErr)
	}
	return 0
}

func TestPID1ReapsOrphans(t *testing.T) {
	t.Parallel()
	// The startup command orphans 100 grandchildren (each subshell exits at
	// once, so its sleep is reparented to PID 1) and exits with 7.
	p := startPID1(t, nil, "sh", "-c",
		`for i in $(seq 100); do ( sleep 0.$((i % 5 + 1)) & ); done; exit 7`)
	host := p.hostPID(t)
	p.waitLog(t, `status="exit status 7"`)
	sawOrphans := false
	deadline := time.Now().Add(15 * time.Second)
	for {
		kids := children(host)
		if len(kids) > 50 {
			sawOrphans = true
		}
		zombies := 0
		for _, st := range kids {
			if st == "Z" {
				zombies++
			}
		}
		if len(kids) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 15s pid1 still has %d children, %d of them zombies: %v", len(kids), zombies, kids)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !sawOrphans {
		t.Log("the orphans were reaped before we could count them (fast machine); the zero-children check still holds")
	}
	// Still serving.
	resp, err := http.Get("http://" + p.addr + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz after reaping: %v %v", resp, err)
	}
	resp.Body.Close()
	p.signal(t, syscall.SIGTERM)
	if code := p.exitCode(t, 10*time.Second); code != 128+15 {
		t.Fatalf("exit code %d, want 143", code)
	}
}

func TestPID1ForwardsSignalsAndShutsDown(t *testing.T) {
	t.Parallel()
	marks := filepath.Join(t.TempDir(), "marks")
	p := startPID1(t, []string{"-grace", "3s"}, "sh", "-c",
		`trap 'echo hup >> `+marks+`' HUP; trap 'echo term >> `+marks+`; exit 0' TERM; echo ready >> `+marks+`; while :; do sleep 0.05; done`)
	waitFile(t, marks, "ready")

	// A client is connected when the shutdown comes: it must hear 1001.
	tok, err := exec.Command(pid1Binary(t), "token", "-state-dir", p.stateDir, "-user", "watcher").Output()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, "ws://"+p.addr+"/wsv2/"+strings.TrimSpace(string(tok)), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	p.signal(t, syscall.SIGHUP)
	waitFile(t, marks, "hup")
	if _, err := c.Ping(ctx); err != nil {
		t.Fatalf("pid1 should keep serving after SIGHUP: %v", err)
	}

	start := time.Now()
	p.signal(t, syscall.SIGTERM)
	waitFile(t, marks, "term")
	if code := p.exitCode(t, 10*time.Second); code != 143 {
		t.Fatalf("exit code %d, want 143", code)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("shutdown took %v though every child exited on TERM", d)
	}
	select {
	case <-c.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("client still connected after pid1 exited")
	}
	if code := websocket.CloseStatus(c.Err()); code != websocket.StatusGoingAway {
		t.Fatalf("client saw %v, want close 1001", c.Err())
	}
}

func TestPID1KillsStragglersAfterGrace(t *testing.T) {
	t.Parallel()
	marks := filepath.Join(t.TempDir(), "marks")
	// This child ignores SIGTERM and SIGINT: pid1 must SIGKILL it after the grace
	// period and still exit promptly.
	p := startPID1(t, []string{"-grace", "1s"}, "sh", "-c",
		`trap '' TERM INT; echo ready >> `+marks+`; while :; do sleep 0.05; done`)
	waitFile(t, marks, "ready")
	start := time.Now()
	p.signal(t, syscall.SIGINT)
	if code := p.exitCode(t, 10*time.Second); code != 128+2 {
		t.Fatalf("exit code %d, want 130", code)
	}
	if d := time.Since(start); d < 900*time.Millisecond || d > 4*time.Second {
		t.Fatalf("shutdown took %v, want about the 1s grace period", d)
	}
}

func waitFile(t *testing.T, path, line string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if f, err := os.Open(path); err == nil {
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				if sc.Text() == line {
					f.Close()
					return
				}
			}
			f.Close()
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(path)
			t.Fatalf("%s never got %q (has %q)", path, line, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
