package ato_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/pid1/pid1/test/kit/testutil"
)

// TestNodeExample runs the JavaScript example of ATO's API documentation
// (test/node/ato_example.mjs: the seed's code but for the URL) in Node
// with @msgpack/msgpack from npm, against /api/v0/ws/execute.
func TestNodeExample(t *testing.T) {
	t.Parallel()
	nodeDir := testutil.NodeDir(t, "@msgpack/msgpack")
	s := newServer(t, options{})
	args := []string{"ato_example.mjs"}
	// Node 20 and 21 have WebSocket behind a flag; 22 on by default.
	if out, err := exec.Command("node", "-e", "process.stdout.write(typeof WebSocket)").Output(); err == nil && string(out) != "function" {
		args = append([]string{"--experimental-websocket"}, args...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Dir = nodeDir
	cmd.Env = append(os.Environ(), "ATO_URL="+s.url("v0"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	if stdout.String() != "stdout: 42\n" {
		t.Errorf("node printed %q (stderr %q), want %q", stdout.String(), stderr.String(), "stdout: 42\n")
	}
}

// TestBrowserExample opens ATO's example page (testdata/example.html:
// the seed's page but for the URL and loading msgpack's browser build)
// in headless Chromium, served from another origin than the API, and
// waits for it to log "stdout: 42".
func TestBrowserExample(t *testing.T) {
	t.Parallel()
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium is not installed; `make test` installs it as root (Debian chromium)")
	}
	nodeDir := testutil.NodeDir(t, "@msgpack/msgpack")
	s := newServer(t, options{})
	page, err := os.ReadFile("testdata/example.html")
	if err != nil {
		t.Fatal(err)
	}
	page = bytes.ReplaceAll(page, []byte("ATO_URL"), []byte(s.url("v0")))
	msgpackJS := filepath.Join(nodeDir, "node_modules", "@msgpack", "msgpack", "dist.umd", "msgpack.min.js")
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(page)
		case "/msgpack.min.js":
			http.ServeFile(w, r, msgpackJS)
		default:
			http.NotFound(w, r)
		}
	}))
	defer site.Close()

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	logged := make(chan string, 16)
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithListener(func(ev any) {
		e, ok := ev.(*runtime.EventConsoleAPICalled)
		if !ok {
			return
		}
		var parts []string
		for _, a := range e.Args {
			var s string
			if json.Unmarshal(a.Value, &s) != nil {
				s = string(a.Value)
			}
			parts = append(parts, s)
		}
		select {
		case logged <- strings.Join(parts, " "):
		default:
		}
	}))
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(site.URL)); err != nil {
		t.Fatal(err)
	}
	select {
	case msg := <-logged:
		if msg != "stdout: 42" {
			t.Errorf("the page logged %q, want %q", msg, "stdout: 42")
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("the page logged nothing in 2 minutes")
	}
}
