package gcsfiles_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/internal/fsroot"
	"github.com/pid1/pid1/internal/storage"
	"github.com/pid1/pid1/services/files"
	"github.com/pid1/pid1/services/gcsfiles"
	"github.com/pid1/pid1/test/kit/hostile"
	"github.com/pid1/pid1/test/kit/s3test"
	"github.com/pid1/pid1/test/kit/servicetest"
)

// buckets are the two kinds the tests run against: the embedded file://
// default and a real S3-compatible HTTP server through the s3:// driver.
func buckets(t *testing.T) map[string]func(t *testing.T) string {
	return map[string]func(t *testing.T) string{
		"file": func(t *testing.T) string { return "file://" + t.TempDir() },
		"s3":   func(t *testing.T) string { return s3test.URL(t, "workspace") },
	}
}

type fixture struct {
	dir    string
	bucket *storage.Bucket
	url    func(string) string
}

func serve(t *testing.T, dir, bucketURL string) *fixture {
	t.Helper()
	ws, err := fsroot.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := storage.Open(context.Background(), bucketURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close(); ws.Close() })
	url := servicetest.Serve(t, gcsfiles.Descriptor(gcsfiles.Config{Files: files.Config{Dir: ws}, Bucket: b}))
	return &fixture{dir: dir, bucket: b, url: url}
}

// objects lists the bucket as "key=content".
func (f *fixture) objects(t *testing.T) string {
	t.Helper()
	var out []string
	for key, err := range f.bucket.List(context.Background(), "") {
		if err != nil {
			t.Fatal(err)
		}
		b, err := f.bucket.ReadAll(context.Background(), key)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, key+"="+string(b))
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func do(t *testing.T, ch *client.Channel, cmd *api.Command) {
	t.Helper()
	if r := servicetest.Request(t, ch, cmd); r.GetOk() == nil {
		t.Fatalf("%v: %v", cmd, r)
	}
}

func f(p string) *api.File { return &api.File{Path: p} }
func write(p, c string) *api.Command {
	return &api.Command{Body: &api.Command_Write{Write: &api.File{Path: p, Content: []byte(c)}}}
}

func TestChangesArePersisted(t *testing.T) {
	for name, bucketURL := range buckets(t) {
		t.Run(name, func(t *testing.T) {
			fx := serve(t, t.TempDir(), bucketURL(t))
			ch := servicetest.Open(t, fx.url("ada"), "gcsfiles", "")
			do(t, ch, write("a/b.txt", "b"))
			do(t, ch, write("top.txt", "top"))
			do(t, ch, write(".env", "SECRET=1"))                   // a top-level dotfile
			do(t, ch, write("node_modules/x/index.js", "ignored")) // an ignored directory
			do(t, ch, write("src/.eslintrc", "kept"))              // a dotfile deeper down is persisted
			if got, want := fx.objects(t), "a/b.txt=b src/.eslintrc=kept top.txt=top"; got != want {
				t.Fatalf("after writes: %s, want %s", got, want)
			}
			do(t, ch, &api.Command{Body: &api.Command_Move{Move: &api.Move{OldPath: "a", NewPath: "c/a"}}})
			if got, want := fx.objects(t), "c/a/b.txt=b src/.eslintrc=kept top.txt=top"; got != want {
				t.Fatalf("after move: %s, want %s", got, want)
			}
			do(t, ch, &api.Command{Body: &api.Command_Remove{Remove: f("c")}})
			do(t, ch, &api.Command{Body: &api.Command_TryRemove{TryRemove: f("some-file-or-dir-that-doesnt-exist")}})
			if got, want := fx.objects(t), "src/.eslintrc=kept top.txt=top"; got != want {
				t.Fatalf("after remove: %s, want %s", got, want)
			}
			// persist picks up what programs wrote behind the service's back.
			os.MkdirAll(filepath.Join(fx.dir, "out"), 0o755)
			os.WriteFile(filepath.Join(fx.dir, "out/result"), []byte("42"), 0o644)
			os.Symlink("/etc/passwd", filepath.Join(fx.dir, "out/link")) // links are not followed
			do(t, ch, &api.Command{Body: &api.Command_Persist{Persist: f("out")}})
			if got, want := fx.objects(t), "out/result=42 src/.eslintrc=kept top.txt=top"; got != want {
				t.Fatalf("after persist: %s, want %s", got, want)
			}
			// persistMirror also deletes what is gone locally, and ignored objects.
			os.Remove(filepath.Join(fx.dir, "top.txt"))
			fx.bucket.WriteAll(context.Background(), "only-remote", []byte("x"))
			fx.bucket.WriteAll(context.Background(), "node_modules/stale.js", []byte("x"))
			do(t, ch, &api.Command{Body: &api.Command_PersistMirror{PersistMirror: f("")}})
			if got, want := fx.objects(t), "out/result=42 src/.eslintrc=kept"; got != want {
				t.Fatalf("after persistMirror: %s, want %s", got, want)
			}
			// Reads are the workspace's.
			if r := servicetest.Request(t, ch, &api.Command{Body: &api.Command_Read{Read: f("out/result")}}); string(r.GetFile().GetContent()) != "42" {
				t.Fatalf("read: %v", r)
			}
		})
	}
}

func TestReadOnlyAndBadRequests(t *testing.T) {
	fx := serve(t, t.TempDir(), "file://"+t.TempDir())
	ro := servicetest.Open(t, fx.url("ro:viewer"), "gcsfiles", "")
	for _, cmd := range []*api.Command{
		{Body: &api.Command_Persist{Persist: f("")}}, {Body: &api.Command_PersistMirror{PersistMirror: f("")}}, write("x", "y"),
	} {
		if r := servicetest.Request(t, ro, cmd); r.GetError() != servicetest.ReadOnlyRefusal(cmd, "gcsfiles") {
			t.Errorf("%v from a read-only user: %v", cmd, r)
		}
	}
	ch := servicetest.Open(t, fx.url("ada"), "gcsfiles", "")
	for cmd, want := range map[*api.Command]string{
		{Body: &api.Command_Persist{Persist: f("missing")}}: "persist missing: no such file or directory",
		{Body: &api.Command_Persist{Persist: f("../x")}}:    `path "../x" leaves the workspace`,
		{Body: &api.Command_Ping{Ping: &api.Ping{}}}:        "gcsfiles takes " + files.Ops + ", persist and persistMirror, not ping",
	} {
		if r := servicetest.Request(t, ch, cmd); r.GetError() != want {
			t.Errorf("%v: got %v, want %q", cmd, r, want)
		}
	}
}

// A failing bucket is reported, and the local change stands.
func TestStorageFailureIsReported(t *testing.T) {
	storeDir := t.TempDir()
	fx := serve(t, t.TempDir(), "file://"+storeDir)
	ch := servicetest.Open(t, fx.url("ada"), "gcsfiles", "")
	os.Chmod(storeDir, 0o500)
	defer os.Chmod(storeDir, 0o700)
	if os.Getuid() == 0 {
		os.RemoveAll(storeDir)
		os.WriteFile(storeDir, []byte("not a directory"), 0o644)
	}
	r := servicetest.Request(t, ch, write("x", "y"))
	if !strings.HasPrefix(r.GetError(), "write x: changed in the workspace but not persisted to file://") {
		t.Fatalf("got %v", r)
	}
	if b, _ := os.ReadFile(filepath.Join(fx.dir, "x")); string(b) != "y" {
		t.Fatalf("local file: %q", b)
	}
}

func TestHostilePaths(t *testing.T) {
	hf := hostile.Setup(t)
	fx := serve(t, hf.Workspace, "file://"+t.TempDir())
	ops := map[string]hostile.Op{}
	for k, v := range hostile.FileOps {
		ops[k] = v
	}
	for k, v := range hostile.PersistOps {
		ops[k] = v
	}
	hf.Try(t, servicetest.Open(t, fx.url("mallory"), "gcsfiles", ""), ops)
	if got := fx.objects(t); strings.Contains(got, hostile.Secret) {
		t.Fatalf("the bucket holds the secret: %s", got)
	}
}
