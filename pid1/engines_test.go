package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	vm "github.com/vmihailenco/msgpack/v5"

	"github.com/pid1/pid1/test/kit/testutil"
)

// runBinary starts the pid1 binary with args and waits until addr answers
// /healthz; it is stopped with SIGTERM when the test ends.
func runBinary(t *testing.T, addr string, args ...string) *exec.Cmd {
	t.Helper()
	logs := &testutil.Buffer{}
	cmd := exec.Command(pid1Binary(t), args...)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		if t.Failed() {
			t.Logf("pid1 output:\n%s", logs.String())
		}
	})
	waitHealthy(t, addr, args, logs)
	return cmd
}

// waitHealthy waits until addr answers /healthz.
func waitHealthy(t *testing.T, addr string, args []string, logs *testutil.Buffer) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("pid1 %v did not start on %s:\n%s", args, addr, logs.String())
		}
	}
}

func serveArgs(t *testing.T, addr string, extra ...string) []string {
	dir := t.TempDir()
	return append([]string{"-listen", addr, "-workspace", filepath.Join(dir, "ws"), "-state-dir", filepath.Join(dir, "state"), "-print-url=false", "-metrics-listen="}, extra...)
}

func getStatus(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// atoRefuses asks ATO's v1 endpoint at addr to run a language that does
// not exist and checks the close frame: the endpoint is ATO's, routed.
func atoRefuses(t *testing.T, addr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws://"+addr+"/api/v1/ws/execute", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	// {"language": "nope", "code": ""} in msgpack.
	req := append([]byte{0x82, 0xa8}, "language"...)
	req = append(append(req, 0xa4), "nope"...)
	req = append(append(req, 0xa4), "code"...)
	req = append(req, 0xa0)
	if err := c.Write(ctx, websocket.MessageBinary, req); err != nil {
		t.Fatal(err)
	}
	_, _, err = c.Read(ctx)
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.StatusPolicyViolation || ce.Reason != "invalid request: no such language: nope" {
		t.Errorf("ATO v1 on %s: %v", addr, err)
	}
}

// TestEnginesShareTheListener: by default the engines' paths are served
// on -listen beside goval's.
func TestEnginesShareTheListener(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	runBinary(t, addr, serveArgs(t, addr)...)
	if code, body := getStatus(t, "http://"+addr+"/languages.json"); code != 200 || !strings.HasPrefix(body, "{") {
		t.Errorf("/languages.json: %d %q", code, body)
	}
	if code, _ := getStatus(t, "http://"+addr+"/api/v0/metadata"); code != 200 {
		t.Errorf("/api/v0/metadata: %d", code)
	}
	atoRefuses(t, addr)
	atoRuns(t, addr)
	otherEngines(t, addr)
	if code, _ := getStatus(t, "http://"+addr+"/wsv2/not-a-token"); code != http.StatusUnauthorized {
		t.Errorf("goval beside the engines: %d", code)
	}
}

// TestEnginesOff: -engines=false serves none of their paths.
func TestEnginesOff(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	runBinary(t, addr, serveArgs(t, addr, "-engines=false")...)
	for _, p := range []string{"/languages.json", "/api/v0/metadata", "/api/v1/ws/execute", "/v1/spec", "/asy/status"} {
		if code, _ := getStatus(t, "http://"+addr+p); code != http.StatusNotFound {
			t.Errorf("%s with the engines off: %d", p, code)
		}
	}
}

// TestEnginesOwnListener: -engines-listen moves them to a listener of
// their own, which has /healthz too (metrics stay private).
func TestEnginesOwnListener(t *testing.T) {
	t.Parallel()
	addr, eaddr := freeAddr(t), freeAddr(t)
	args := serveArgs(t, addr, "-engines-listen", eaddr)
	runBinary(t, addr, args...)
	// Both listeners, before anything is asked of them (a CI run once
	// found the engines' refusing right after pid1's answered).
	waitHealthy(t, eaddr, args, &testutil.Buffer{})
	if code, _ := getStatus(t, "http://"+addr+"/languages.json"); code != http.StatusNotFound {
		t.Errorf("/languages.json on -listen: %d", code)
	}
	if code, _ := getStatus(t, "http://"+eaddr+"/languages.json"); code != 200 {
		t.Errorf("/languages.json on -engines-listen: %d", code)
	}
	if code, _ := getStatus(t, "http://"+eaddr+"/metrics"); code != http.StatusNotFound {
		t.Errorf("/metrics on the public -engines-listen: %d", code)
	}
	atoRefuses(t, eaddr)
}

// otherEngines checks ranna's and asyonline's endpoints are served at
// addr: ranna's spec map and a run over /v1/exec, asyonline's status.
func otherEngines(t *testing.T, addr string) {
	t.Helper()
	if code, body := getStatus(t, "http://"+addr+"/v1/spec"); code != 200 || !strings.Contains(body, `"python3"`) {
		t.Errorf("/v1/spec: %d %.100q", code, body)
	}
	resp, err := http.Post("http://"+addr+"/v1/exec", "application/json", strings.NewReader(`{"language":"py","code":"print(6*7)"}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"stdout":"42\n"`) {
		t.Errorf("/v1/exec: %d %s", resp.StatusCode, b)
	}
	if code, body := getStatus(t, "http://"+addr+"/asy/status"); code != 200 || body != `{"status":{"announcement":""}}`+"\n" {
		t.Errorf("/asy/status: %d %q", code, body)
	}
}

// atoRuns runs Python over ATO's v1 endpoint at addr.
func atoRuns(t *testing.T, addr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws://"+addr+"/api/v1/ws/execute", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	req, _ := vm.Marshal(map[string]any{"language": "python", "code": "print(6*7)"})
	if err := c.Write(ctx, websocket.MessageBinary, req); err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		_, b, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("after %v: %v", got, err)
		}
		var m map[string]any
		if err := vm.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		if out, ok := m["Stdout"].([]byte); ok {
			got = append(got, string(out))
			continue
		}
		if _, ok := m["Done"]; ok && strings.Join(got, "") == "42\n" {
			return
		}
		t.Fatalf("after %q: %v", got, m)
	}
}

// TestEnginesMode: `pid1 engines` serves the engines alone, with no
// workspace or state, runs programs, and stops on SIGTERM.
func TestEnginesMode(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	maddr := freeAddr(t)
	cmd := runBinary(t, addr, "engines", "-listen", addr, "-metrics-listen", maddr, "-subreaper", "-engines-runs-per-ip", "2")
	if code, body := getStatus(t, "http://"+maddr+"/metrics"); code != 200 || !strings.Contains(body, "pid1_sandbox_mode") {
		t.Errorf("/metrics on -metrics-listen: %d", code)
	}
	if code, _ := getStatus(t, "http://"+addr+"/languages.json"); code != 200 {
		t.Errorf("/languages.json: %d", code)
	}
	if code, _ := getStatus(t, "http://"+addr+"/wsv2/x"); code != http.StatusNotFound {
		t.Errorf("goval in engines mode: %d", code)
	}
	atoRefuses(t, addr)
	atoRuns(t, addr)
	otherEngines(t, addr)
	cmd.Process.Signal(syscall.SIGTERM)
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 128+int(syscall.SIGTERM) {
		t.Errorf("pid1 engines after SIGTERM: %v", err)
	}
	if out, err := exec.Command(pid1Binary(t), "engines", "stray").CombinedOutput(); err == nil || !strings.Contains(string(out), "takes no arguments") {
		t.Errorf("pid1 engines stray: %v %s", err, out)
	}
}
