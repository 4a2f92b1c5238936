package server_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/pid1/server"
)

// A Python http.server started through run2 is announced on channel 0 as
// portOpen, with its pid, command and command line, to the sessions
// there and in the greeting of one that connects later; it is reachable
// through the preview proxy with a token and refused without one; when
// run2 stops it, everyone gets portClose and the proxy has nothing there.
func TestPortOpenAndClose(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	base := t.TempDir()
	ws := filepath.Join(base, "ws")
	os.MkdirAll(ws, 0o755)
	os.WriteFile(filepath.Join(ws, ".replit"), []byte(fmt.Sprintf("run = \"exec python3 -m http.server --bind 127.0.0.1 %d\"\n", port)), 0o644)
	os.WriteFile(filepath.Join(ws, "hello.txt"), []byte("hello through the proxy\n"), 0o644)
	srv, url := start(t, server.Options{Workspace: ws, StateDir: filepath.Join(base, "state")})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	early := connect(t, ctx, srv, "early", true)
	run2, err := early.Open(ctx, "run2", "", api.OpenChannel_CREATE)
	if err != nil {
		t.Fatal(err)
	}
	if err := run2.Send(ctx, &api.Command{Body: &api.Command_RunMain{RunMain: &api.RunMain{}}}); err != nil {
		t.Fatal(err)
	}
	opened := waitPort(t, ctx, early, func(c *api.Command) bool { return c.GetPortOpen().GetPort() == uint32(port) }).GetPortOpen()
	if opened.Address != "127.0.0.1" || opened.Comm != "python3" || !slices.Contains(opened.Cmdline, "http.server") ||
		opened.Pid == 0 || len(opened.PidChain) == 0 || opened.PidChain[0] != opened.Pid {
		t.Fatalf("portOpen: %v", opened)
	}
	checkProxy(t, srv, url, port)
	late := connect(t, ctx, srv, "late", true)
	if again := waitPort(t, ctx, late, func(c *api.Command) bool { return c.GetPortOpen().GetPort() == uint32(port) }); again.GetPortOpen().GetPid() != opened.Pid {
		t.Fatalf("the late session's greeting: %v", again)
	}
	if _, err := run2.Close(ctx, api.CloseChannel_CLOSE); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*client.Client{early, late} {
		closed := waitPort(t, ctx, c, func(c *api.Command) bool { return c.GetPortClose().GetPort() == uint32(port) }).GetPortClose()
		if closed.Address != "127.0.0.1" {
			t.Fatalf("portClose: %v", closed)
		}
	}
	writer, _ := srv.Token("ada", true, time.Hour)
	if code, body := get(t, proxyURL(url, port)+"/hello.txt", "Bearer "+writer, ""); code != http.StatusNotFound ||
		!strings.Contains(body, fmt.Sprintf("no workspace program listens on port %d", port)) {
		t.Fatalf("the proxy after the close: %d %q", code, body)
	}
}

// proxyURL is the preview proxy's base for port on the server url serves.
func proxyURL(url func(string) string, port int) string {
	u := strings.Replace(url("x"), "ws://", "http://", 1)
	return u[:strings.Index(u, "/wsv2/")] + "/proxy/" + strconv.Itoa(port)
}

// get fetches u with an Authorization header and a Cookie header (either
// may be empty) and returns the status and body.
func get(t *testing.T, u, authorization, cookie string) (int, string) {
	t.Helper()
	return do(t, http.MethodGet, u, authorization, cookie)
}

func do(t *testing.T, method, u, authorization, cookie string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, u, nil)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// checkProxy reaches the http.server through the preview proxy: with a
// token in a header, the query (which sets the cookie) or the cookie;
// refused without one, with a bad one, and for a read-only user's POST.
func checkProxy(t *testing.T, srv *server.Server, url func(string) string, port int) {
	t.Helper()
	base := proxyURL(url, port)
	writer, _ := srv.Token("ada", true, time.Hour)
	reader, _ := srv.Token("bob", false, time.Hour)
	const want = "hello through the proxy\n"
	if code, body := get(t, base+"/hello.txt", "Bearer "+writer, ""); code != 200 || body != want {
		t.Fatalf("with a bearer token: %d %q", code, body)
	}
	if code, body := get(t, base+"/hello.txt", "", ""); code != http.StatusUnauthorized || !strings.Contains(body, "a pid1 token is needed") {
		t.Fatalf("without a token: %d %q", code, body)
	}
	if code, body := get(t, base+"/hello.txt", "Bearer nonsense", ""); code != http.StatusUnauthorized || !strings.Contains(body, "the token is not valid") {
		t.Fatalf("with a bad token: %d %q", code, body)
	}
	resp, err := http.Get(base + "/hello.txt?pid1_token=" + reader)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "pid1_proxy_token" {
			cookie = c
		}
	}
	if resp.StatusCode != 200 || string(b) != want || cookie == nil || cookie.Path != fmt.Sprintf("/proxy/%d/", port) || !cookie.HttpOnly {
		t.Fatalf("with the token in the query: %d %q, cookie %v", resp.StatusCode, b, cookie)
	}
	if code, body := get(t, base+"/", "", "pid1_proxy_token="+reader); code != 200 || !strings.Contains(body, "hello.txt") {
		t.Fatalf("with the cookie: %d %q", code, body)
	}
	if code, body := do(t, http.MethodPost, base+"/hello.txt", "Bearer "+reader, ""); code != http.StatusForbidden || !strings.Contains(body, "read-only") {
		t.Fatalf("a read-only POST: %d %q", code, body)
	}
	if code, body := get(t, proxyURL(url, 1)+"/", "Bearer "+writer, ""); code != http.StatusNotFound || !strings.Contains(body, "no workspace program listens on port 1") {
		t.Fatalf("a port nothing listens on: %d %q", code, body)
	}
}

// waitPort reads c's channel 0 until ok accepts a command.
func waitPort(t *testing.T, ctx context.Context, c *client.Client, ok func(*api.Command) bool) *api.Command {
	t.Helper()
	for {
		select {
		case cmd := <-c.Control():
			if ok(cmd) {
				return cmd
			}
		case <-ctx.Done():
			t.Fatal("no such command on channel 0 within 60 s")
		}
	}
}
