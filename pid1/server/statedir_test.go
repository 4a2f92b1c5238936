package server_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pid1/pid1/test/kit/testutil"

	"github.com/pid1/pid1/internal/auth"
	"github.com/pid1/pid1/pid1/server"
	"github.com/pid1/pid1/test/kit/s3test"
)

// open starts a server with o and a log of its own, and stops it when the
// test ends.
func open(t *testing.T, o server.Options) (*testutil.Buffer, error) {
	t.Helper()
	logs := &testutil.Buffer{}
	o.Logger = slog.New(slog.NewTextHandler(logs, nil))
	srv, err := server.New(o)
	if err == nil {
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			srv.Shutdown(ctx)
		})
	}
	return logs, err
}

func owner(t *testing.T, p string) (uint32, os.FileMode) {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t).Uid, fi.Mode().Perm()
}

// The state directory is created private (0700, owned by pid1's user: root
// here, as in the container), an existing one is tightened and taken over
// with a log line, and it is refused when it and the workspace nest.
func TestStateDirectory(t *testing.T) {
	base := t.TempDir()
	ws := filepath.Join(base, "ws")
	t.Run("created private", func(t *testing.T) {
		state := filepath.Join(base, "fresh", "deep", "state")
		if _, err := open(t, server.Options{Workspace: ws, StateDir: state}); err != nil {
			t.Fatal(err)
		}
		if uid, perm := owner(t, state); int(uid) != os.Geteuid() || perm != 0o700 {
			t.Fatalf("state directory: uid %d mode %#o, want uid %d mode 0700", uid, perm, os.Geteuid())
		}
	})
	t.Run("loose permissions tightened", func(t *testing.T) {
		state := filepath.Join(base, "loose")
		os.Mkdir(state, 0o755)
		os.Chmod(state, 0o777)
		logs, err := open(t, server.Options{Workspace: ws, StateDir: state})
		if err != nil {
			t.Fatal(err)
		}
		if _, perm := owner(t, state); perm != 0o700 {
			t.Fatalf("mode %#o after start", perm)
		}
		if !strings.Contains(logs.String(), `msg="tightened the state directory's permissions"`) || !strings.Contains(logs.String(), "was=0777") {
			t.Fatalf("no log line:\n%s", logs)
		}
	})
	t.Run("another user's is taken over by root", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("needs root")
		}
		state := filepath.Join(base, "nobodys")
		os.Mkdir(state, 0o700)
		os.Chown(state, 65534, 65534)
		logs, err := open(t, server.Options{Workspace: ws, StateDir: state})
		if err != nil {
			t.Fatal(err)
		}
		if uid, _ := owner(t, state); uid != 0 {
			t.Fatalf("owner %d after start", uid)
		}
		if !strings.Contains(logs.String(), "was_uid=65534") {
			t.Fatalf("no log line:\n%s", logs)
		}
	})
	t.Run("a key others could read is retired", func(t *testing.T) {
		state := filepath.Join(base, "exposed")
		old, err := auth.LoadOrCreateKey(state)
		if err != nil {
			t.Fatal(err)
		}
		os.Chmod(filepath.Join(state, auth.KeyFile), 0o644)
		logs, err := open(t, server.Options{Workspace: ws, StateDir: state})
		if err != nil {
			t.Fatal(err)
		}
		now, err := auth.LoadKey(state)
		if err != nil || now.ID() == old.ID() {
			t.Fatalf("the key after start: %v %v (was %s)", now, err, old.ID())
		}
		if aside, _ := filepath.Glob(filepath.Join(state, auth.KeyFile+".exposed-*")); len(aside) != 1 || !strings.Contains(logs.String(), "the signing key could be read by others") {
			t.Fatalf("moved aside: %v; logs:\n%s", aside, logs)
		}
		// A private key stays.
		if _, err := open(t, server.Options{Workspace: ws, StateDir: state}); err != nil {
			t.Fatal(err)
		}
		if again, _ := auth.LoadKey(state); again.ID() != now.ID() {
			t.Fatal("a private key was retired")
		}
	})
	t.Run("through a link into the workspace", func(t *testing.T) {
		os.MkdirAll(filepath.Join(ws, "sub"), 0o755)
		os.Symlink(filepath.Join(ws, "sub"), filepath.Join(base, "link"))
		for _, state := range []string{filepath.Join(base, "link"), filepath.Join(base, "link", "later")} {
			_, err := open(t, server.Options{Workspace: ws, StateDir: state})
			if err == nil || !strings.Contains(err.Error(), "is inside the workspace") || !strings.Contains(err.Error(), state+" resolved") {
				t.Fatalf("-state-dir %s: %v", state, err)
			}
		}
		if _, err := os.Stat(filepath.Join(ws, "sub", "later")); !os.IsNotExist(err) {
			t.Fatalf("created inside the workspace: %v", err)
		}
	})
	t.Run("workspace through a link into the state directory", func(t *testing.T) {
		state := filepath.Join(base, "state")
		os.MkdirAll(filepath.Join(state, "ws"), 0o700)
		os.Symlink(filepath.Join(state, "ws"), filepath.Join(base, "ws-link"))
		_, err := open(t, server.Options{Workspace: filepath.Join(base, "ws-link"), StateDir: state})
		if err == nil || !strings.Contains(err.Error(), "is inside the state directory") {
			t.Fatalf("got %v", err)
		}
	})
}

// With shared storage and no -workspace-id, pid1 warns that workspaces at
// the same path would share snapshots.
func TestSharedStorageWithoutAWorkspaceIDWarns(t *testing.T) {
	base := t.TempDir()
	for id, warns := range map[string]bool{"": true, "repl-42": false} {
		logs, err := open(t, server.Options{Workspace: filepath.Join(base, "ws"+id), StateDir: filepath.Join(base, "state"+id),
			Storage: s3test.URL(t, "snapshots"), WorkspaceID: id})
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(logs.String(), "give each its own -workspace-id"); got != warns {
			t.Errorf("-workspace-id %q: warned %v, want %v\n%s", id, got, warns, logs)
		}
	}
}
