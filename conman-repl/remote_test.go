package main

import (
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
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
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
	defer hs.Close()
	defer srv.Shutdown(t.Context())

	dial, err := remoteDialer("ws://"+ln.Addr().String(), "", "ada", state)
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

	if _, err := remoteDialer("ws://"+ln.Addr().String(), "", "ada", filepath.Join(dir, "nokey")); err == nil ||
		!strings.Contains(err.Error(), "no key to mint one") {
		t.Errorf("no token and no key: err = %v", err)
	}
}
