package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
)

// stop ends a pid1 started by startOn with SIGTERM and waits for it.
func (p *plainPID1) stop(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.cmd.Wait()
}

// dial connects to p as user with a token from p's state directory.
func (p *plainPID1) dial(t *testing.T, ctx context.Context, user string) *client.Client {
	t.Helper()
	c, err := client.Dial(ctx, "ws://"+p.addr+"/wsv2/"+token(t, "-state-dir", p.state, "-user", user), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// snapshot takes a snapshot through the snapshot service.
func snapshot(t *testing.T, ctx context.Context, c *client.Client) {
	t.Helper()
	ch, err := c.Open(ctx, "snapshot", "", api.OpenChannel_ATTACH_OR_CREATE)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := ch.Request(ctx, &api.Command{Body: &api.Command_FsSnapshot{FsSnapshot: &api.FSSnapshot{}}}); err != nil || r.GetOk() == nil {
		t.Fatalf("fsSnapshot: %v %v", r, err)
	}
}

func mustWrite(t *testing.T, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Snapshots belong to a workspace: `pid1 -workspace OTHER -restore` with
// the same state directory (and so the same storage) restores nothing of
// another workspace's snapshots and deletes nothing; the workspace the
// snapshot was taken of gets it back.
func TestRestoreOnAnotherWorkspaceRestoresNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	state, a, other := filepath.Join(dir, "state"), filepath.Join(dir, "a"), filepath.Join(dir, "other")
	mustWrite(t, filepath.Join(a, "a.txt"), "workspace a")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	p := startOn(t, a, state)
	snapshot(t, ctx, p.dial(t, ctx, "ann"))
	p.stop(t)

	mustWrite(t, filepath.Join(other, "precious.txt"), "precious")
	q := startOn(t, other, state, "-restore")
	if b, err := os.ReadFile(filepath.Join(other, "precious.txt")); err != nil || string(b) != "precious" {
		t.Fatalf("precious.txt in the other workspace: %q %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(other, "a.txt")); !os.IsNotExist(err) {
		t.Fatalf("a.txt was restored into the other workspace: %v", err)
	}
	if !strings.Contains(q.logs.String(), "this workspace has no snapshot to restore") {
		t.Fatalf("pid1 did not say why nothing was restored:\n%s", q.logs.String())
	}
	q.stop(t)

	os.Remove(filepath.Join(a, "a.txt"))
	mustWrite(t, filepath.Join(a, "stray.txt"), "stray")
	startOn(t, a, state, "-restore")
	if b, _ := os.ReadFile(filepath.Join(a, "a.txt")); string(b) != "workspace a" {
		t.Fatalf("a.txt after restoring its own workspace: %q", b)
	}
	if _, err := os.Stat(filepath.Join(a, "stray.txt")); !os.IsNotExist(err) {
		t.Fatalf("stray.txt survived the restore: %v", err)
	}
}

// A transfer cut off by SIGKILL leaves its temporary file; no client ever
// sees it (listing, file events, snapshots), and the next start removes
// it.
func TestInterruptedTransferLeavesNothingBehind(t *testing.T) {
	t.Parallel()
	p := startProcess(t)
	mustWrite(t, filepath.Join(p.workspace, "kept.txt"), "kept")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := p.dial(t, ctx, "ann")
	events, err := c.Open(ctx, "fsevents", "", api.OpenChannel_ATTACH_OR_CREATE)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := events.Request(ctx, &api.Command{Body: &api.Command_SubscribeFile{SubscribeFile: &api.SubscribeFile{Files: []*api.File{{Path: ""}}}}}); err != nil || r.GetOk() == nil {
		t.Fatalf("subscribeFile: %v %v", r, err)
	}
	files, err := c.Open(ctx, "files", "", api.OpenChannel_ATTACH_OR_CREATE)
	if err != nil {
		t.Fatal(err)
	}
	r, err := files.Request(ctx, &api.Command{Body: &api.Command_TransferStart{TransferStart: &api.TransferStart{Path: "big.bin", Size: 5 << 20}}})
	if err != nil || r.GetTransfer() == nil {
		t.Fatalf("transferStart: %v %v", r, err)
	}
	id := r.GetTransfer().GetId()
	chunk := make([]byte, 1<<20)
	for range 5 {
		if r, err := files.Request(ctx, &api.Command{Body: &api.Command_TransferChunk{TransferChunk: &api.TransferChunk{Id: id, Content: chunk}}}); err != nil || r.GetOk() == nil {
			t.Fatalf("transferChunk: %v %v", r, err)
		}
	}
	temps, _ := filepath.Glob(filepath.Join(p.workspace, ".~pid1-*"))
	if len(temps) != 1 {
		t.Fatalf("temporary files during the transfer: %v", temps)
	}
	// Not in a listing...
	r, err = files.Request(ctx, &api.Command{Body: &api.Command_Readdir{Readdir: &api.File{Path: ""}}})
	if err != nil || r.GetFiles() == nil {
		t.Fatalf("readdir: %v %v", r, err)
	}
	for _, f := range r.GetFiles().GetFiles() {
		if strings.Contains(f.GetPath(), ".~pid1") {
			t.Fatalf("readdir shows %q", f.GetPath())
		}
	}
	// ...nor in a snapshot...
	snapshot(t, ctx, c)
	var manifests []string
	filepath.WalkDir(filepath.Join(p.state, "storage"), func(path string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".json") && filepath.Base(filepath.Dir(path)) == "manifests" {
			manifests = append(manifests, path)
		}
		return nil
	})
	if len(manifests) != 1 {
		t.Fatalf("manifests: %v", manifests)
	}
	body, err := os.ReadFile(manifests[0])
	if err != nil {
		t.Fatal(err)
	}
	var m struct{ Entries []struct{ Path string } }
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Entries) != 1 || m.Entries[0].Path != "kept.txt" {
		t.Fatalf("the snapshot holds %s, want kept.txt only", body)
	}
	for _, e := range m.Entries {
		if strings.Contains(e.Path, ".~pid1") {
			t.Fatalf("the snapshot holds %q", e.Path)
		}
	}
	// ...nor in file events: the first event is the marker written after it.
	if r, err := files.Request(ctx, &api.Command{Body: &api.Command_Write{Write: &api.File{Path: "marker.txt", Content: []byte("m")}}}); err != nil || r.GetOk() == nil {
		t.Fatalf("write: %v %v", r, err)
	}
	for ev := range events.Stream() {
		path := ev.GetFileEvent().GetFile().GetPath()
		if strings.Contains(path, ".~pid1") {
			t.Fatalf("fsevents reported %v", ev)
		}
		if path == "marker.txt" {
			break
		}
	}

	p.cmd.Process.Kill()
	p.cmd.Wait()
	if temps, _ := filepath.Glob(filepath.Join(p.workspace, ".~pid1-*")); len(temps) != 1 {
		t.Fatalf("after SIGKILL: %v", temps)
	}
	q := startOn(t, p.workspace, p.state)
	if temps, _ := filepath.Glob(filepath.Join(p.workspace, ".~pid1-*")); len(temps) != 0 {
		t.Fatalf("after a restart: %v", temps)
	}
	if !strings.Contains(q.logs.String(), "temporary_files_removed=1 bytes=5242880") {
		t.Fatalf("the cleanup was not logged:\n%s", q.logs.String())
	}
}

// A state directory that resolves into the workspace through a symbolic
// link is refused before a key is written, whatever path names it.
func TestStateDirThroughALinkIntoTheWorkspace(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ws := filepath.Join(dir, "ws")
	os.MkdirAll(filepath.Join(ws, "inside"), 0o755)
	os.Symlink(filepath.Join(ws, "inside"), filepath.Join(dir, "state-link"))
	for _, state := range []string{filepath.Join(dir, "state-link"), filepath.Join(dir, "state-link", "not-yet", "pid1")} {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		out, err := exec.CommandContext(ctx, pid1Binary(t), "-listen", freeAddr(t), "-workspace", ws, "-state-dir", state,
			"-print-url=false", "-metrics-listen=").CombinedOutput()
		timedOut := ctx.Err() == context.DeadlineExceeded
		cancel()
		if timedOut {
			t.Fatalf("-state-dir %s: pid1 started serving with its state directory inside the workspace", state)
		}
		if err == nil || !strings.Contains(string(out), "is inside the workspace") || !strings.Contains(string(out), "resolved") {
			t.Fatalf("-state-dir %s: %v\n%s", state, err, out)
		}
	}
	var keys []string
	filepath.WalkDir(ws, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			keys = append(keys, p)
		}
		return nil
	})
	if len(keys) != 0 {
		t.Fatalf("written into the workspace: %v", keys)
	}
}

// dockerfileEnv reads the ENV instructions of the repository's Dockerfile.
func dockerfileEnv(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	text := strings.ReplaceAll(string(b), "\\\n", " ")
	for _, line := range strings.Split(text, "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "ENV ")
		if !ok {
			continue
		}
		for _, kv := range strings.Fields(rest) {
			if k, v, ok := strings.Cut(kv, "="); ok {
				env[k] = v
			}
		}
	}
	return env
}

// The container image restores the latest snapshot at start ("a restart
// always uses the latest snapshot"): its environment sets PID1_RESTORE,
// and pid1 started with that environment restores.
func TestImageRestoresAtStart(t *testing.T) {
	env := dockerfileEnv(t)
	if env["PID1_RESTORE"] != "true" {
		t.Fatalf("the Dockerfile sets PID1_RESTORE=%q, want true", env["PID1_RESTORE"])
	}
	dir := t.TempDir()
	ws, state := filepath.Join(dir, "ws"), filepath.Join(dir, "state")
	mustWrite(t, filepath.Join(ws, "kept.txt"), "snapshotted")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	p := startOn(t, ws, state)
	snapshot(t, ctx, p.dial(t, ctx, "ann"))
	p.stop(t)
	mustWrite(t, filepath.Join(ws, "kept.txt"), "an edit after the snapshot")
	t.Setenv("PID1_RESTORE", env["PID1_RESTORE"])
	startOn(t, ws, state)
	if b, _ := os.ReadFile(filepath.Join(ws, "kept.txt")); string(b) != "snapshotted" {
		t.Fatalf("kept.txt after a restart with the image's environment: %q", b)
	}
}
