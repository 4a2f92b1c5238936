package main

import (
	"context"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pid1/pid1/pid1/server"
	"github.com/pid1/pid1/test/kit/testutil"
)

// With -url and the local pid1's state directory, each REPL client gets a
// token of its own, so chat shows who is who.
func TestRemoteMintsPerClient(t *testing.T) {
	addr, state := servePID1(t)

	dial, err := remoteDialer("ws://"+addr, "", "ada", state)
	if err != nil {
		t.Fatal(err)
	}
	out := &testutil.Buffer{}
	r := newREPL(dial, out)
	r.scripted(t.Context(), strings.NewReader(`chatter { chatMessage: { text: "one" } }
chatter from bob { chatMessage: { text: "two" } }
`), false, 200*time.Millisecond)
	r.closeAll()
	for _, want := range []string{
		`(chatter -> bob) { chatMessage: { username: "ada", text: "one" } }`,
		`(chatter) { chatMessage: { username: "bob", text: "two" } }`,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("missing %s in:\n%s", want, out.String())
		}
	}

	if _, err := remoteDialer("ws://"+addr, "", "ada", filepath.Join(t.TempDir(), "nokey")); err == nil ||
		!strings.Contains(err.Error(), "no key to mint one") {
		t.Errorf("no token and no key: err = %v", err)
	}
}

// Scripted mode counts what failed, so that a script's exit status says
// whether it went through: a refused command, a line it cannot parse and
// a refused connection (whose reason is shown) each count.
func TestScriptFailuresAreCounted(t *testing.T) {
	addr, state := servePID1(t)
	run := func(dial dialer, script string) (string, int64) {
		out := &testutil.Buffer{}
		r := newREPL(dial, out)
		r.scripted(t.Context(), strings.NewReader(script), true, 100*time.Millisecond)
		r.closeAll()
		return out.String(), r.failures.Load()
	}
	dial, err := remoteDialer("ws://"+addr, "", "ada", state)
	if err != nil {
		t.Fatal(err)
	}
	if out, n := run(dial, "chatter { chatMessage: { text: \"fine\" } }\n"); n != 0 {
		t.Fatalf("a script that went through counted %d failures:\n%s", n, out)
	}
	out, n := run(dial, "files { read: { path: \"missing\" } }\nfiles { read: \n")
	if n != 2 || !strings.Contains(out, "no such file") {
		t.Fatalf("a failed read and a broken line: %d failures:\n%s", n, out)
	}
	bad, err := remoteDialer("ws://"+addr+"/wsv2/not-a-token", "", "ada", filepath.Join(t.TempDir(), "nokey"))
	if err != nil {
		t.Fatal(err)
	}
	if out, n := run(bad, "chatter { chatMessage: { text: \"x\" } }\n"); n != 1 || !strings.Contains(out, "HTTP 401: unauthorized") {
		t.Fatalf("a refused token: %d failures:\n%s", n, out)
	}
	long := "chatter { chatMessage: { text: \"" + strings.Repeat("x", maxLine) + "\" } }\n"
	if out, n := run(dial, long); n != 1 || !strings.Contains(out, "longer than 16 MiB") {
		t.Fatalf("an overlong line: %d failures:\n%.300s", n, out)
	}
}

// Every well-known channel name pid1's services declare leads conman-repl
// to its service.
func TestWellKnownNamesReachTheirService(t *testing.T) {
	dir := t.TempDir()
	srv, err := server.New(server.Options{Workspace: filepath.Join(dir, "ws"), StateDir: filepath.Join(dir, "state")})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(t.Context())
	reg := srv.Services()
	for _, name := range reg.Names() {
		d, _ := reg.Lookup(name)
		if d.WellKnown != "" && serviceFor(d.WellKnown) != name {
			t.Errorf("the well-known name %q leads to service %q, not %q", d.WellKnown, serviceFor(d.WellKnown), name)
		}
	}
}

// servePID1 serves a pid1 on 127.0.0.1 for the test, and returns its
// address and state directory (whose key mints tokens).
func servePID1(t *testing.T) (addr, state string) {
	t.Helper()
	dir := t.TempDir()
	state = filepath.Join(dir, "state")
	srv, err := server.New(server.Options{Workspace: filepath.Join(dir, "ws"), StateDir: state})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv.Handler()}
	go hs.Serve(ln)
	t.Cleanup(func() {
		hs.Close()
		srv.Shutdown(context.Background())
	})
	return ln.Addr().String(), state
}
