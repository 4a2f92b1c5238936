package server_test

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/pid1/server"
	"github.com/pid1/pid1/test/kit/servicetest"
)

func start(t *testing.T, o server.Options) (*server.Server, func(string) string) {
	t.Helper()
	srv, err := server.New(o)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		hs.Close()
	})
	base := "ws" + strings.TrimPrefix(hs.URL, "http") + "/wsv2/"
	return srv, func(user string) string {
		tok, err := srv.Token(user, true, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return base + tok
	}
}

// A snapshot taken through the service is what a later pid1 started with
// -restore finds, in its default file:// storage.
func TestSnapshotThenRestoreAtStart(t *testing.T) {
	base := t.TempDir()
	o := server.Options{Workspace: filepath.Join(base, "ws"), StateDir: filepath.Join(base, "state")}
	srv, url := start(t, o)
	os.WriteFile(filepath.Join(o.Workspace, "kept.txt"), []byte("snapshotted"), 0o644)
	ch := servicetest.Open(t, url("ada"), "snapshot", "")
	if r := servicetest.Request(t, ch, &api.Command{Body: &api.Command_FsSnapshot{FsSnapshot: &api.FSSnapshot{}}}); r.GetOk() == nil {
		t.Fatalf("fsSnapshot: %v", r)
	}
	if r := servicetest.Request(t, ch, &api.Command{Body: &api.Command_Ping{Ping: &api.Ping{}}}); r.GetError() != "snapshot takes fsSnapshot, not ping" {
		t.Fatalf("ping: %v", r)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.Shutdown(ctx)

	// The workspace drifts while pid1 is down.
	os.WriteFile(filepath.Join(o.Workspace, "kept.txt"), []byte("lost edit"), 0o644)
	os.WriteFile(filepath.Join(o.Workspace, "stray.txt"), []byte("x"), 0o644)
	o.Restore = true
	start(t, o)
	if b, _ := os.ReadFile(filepath.Join(o.Workspace, "kept.txt")); string(b) != "snapshotted" {
		t.Fatalf("kept.txt after restore: %q", b)
	}
	if _, err := os.Stat(filepath.Join(o.Workspace, "stray.txt")); !os.IsNotExist(err) {
		t.Fatalf("stray.txt survived the restore: %v", err)
	}
}

func TestRestoreWithNoSnapshotKeepsTheWorkspace(t *testing.T) {
	base := t.TempDir()
	o := server.Options{Workspace: filepath.Join(base, "ws"), StateDir: filepath.Join(base, "state"), Restore: true}
	os.MkdirAll(o.Workspace, 0o755)
	os.WriteFile(filepath.Join(o.Workspace, "mine"), []byte("x"), 0o644)
	start(t, o)
	if _, err := os.Stat(filepath.Join(o.Workspace, "mine")); err != nil {
		t.Fatal(err)
	}
}

func TestStorageInsideTheWorkspaceIsRefused(t *testing.T) {
	base := t.TempDir()
	_, err := server.New(server.Options{Workspace: filepath.Join(base, "ws"), StateDir: filepath.Join(base, "state"),
		Storage: "file://" + filepath.Join(base, "ws", "store")})
	if err == nil || !strings.Contains(err.Error(), "is inside the workspace") {
		t.Fatalf("got %v", err)
	}
}
