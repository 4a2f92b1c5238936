package snapstore_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pid1/pid1/internal/fsroot"
	"github.com/pid1/pid1/internal/snapstore"
	"github.com/pid1/pid1/internal/storage"
	"github.com/pid1/pid1/test/kit/s3test"
)

func open(t *testing.T, url string) *storage.Bucket {
	t.Helper()
	b, err := storage.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// newStore opens the workspace at dir and a store for it with id.
func newStore(t *testing.T, b *storage.Bucket, dir, id string) *snapstore.Store {
	t.Helper()
	ws, err := fsroot.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	st, err := snapstore.New(b, ws, id)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func put(t *testing.T, dir, p, content string, mode os.FileMode) {
	t.Helper()
	full := filepath.Join(dir, p)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	os.Chmod(full, mode)
}

// tree describes a directory: every path with its kind, mode and content
// or link target.
func tree(t *testing.T, dir string) string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, p)
		info, _ := d.Info()
		s := rel + " " + info.Mode().String()
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			s += " -> " + target
		case d.Type().IsRegular():
			b, _ := os.ReadFile(p)
			s += fmt.Sprintf(" %d:%.20q", len(b), b)
		}
		out = append(out, s)
		return nil
	})
	sort.Strings(out)
	return strings.Join(out, "\n")
}

func fill(t *testing.T, dir string) {
	put(t, dir, "main.py", "print('hi')\n", 0o644)
	put(t, dir, "run.sh", "#!/bin/sh\necho hi\n", 0o755)
	put(t, dir, "src/a/deep.txt", "deep", 0o600)
	put(t, dir, "same1", "same content", 0o644)
	put(t, dir, "same2", "same content", 0o644)
	put(t, dir, ".hidden/config", "x=1", 0o644)
	os.MkdirAll(filepath.Join(dir, "empty/dir"), 0o750)
	os.Symlink("src/a/deep.txt", filepath.Join(dir, "link"))
	big := make([]byte, 9<<20) // above the size read whole
	rand.Read(big)
	put(t, dir, "big.bin", string(big), 0o644)
}

func TestTakeAndRestore(t *testing.T) {
	for name, url := range map[string]func() string{
		"file": func() string { return "file://" + t.TempDir() },
		"s3":   func() string { return s3test.URL(t, "snapshots") },
	} {
		t.Run(name, func(t *testing.T) {
			b := open(t, url())
			src := t.TempDir()
			fill(t, src)
			st := newStore(t, b, src, "ws1")
			ctx := context.Background()
			r1, err := st.Take(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if r1.Files != 7 || r1.Uploaded != 6 { // same1 and same2 share a blob
				t.Fatalf("first snapshot: %+v", r1)
			}
			r2, err := st.Take(ctx)
			if err != nil || r2.Uploaded != 0 || r2.Manifest == r1.Manifest {
				t.Fatalf("second snapshot of an unchanged workspace: %+v %v", r2, err)
			}
			put(t, src, "main.py", "print('changed')\n", 0o644)
			if r3, err := st.Take(ctx); err != nil || r3.Uploaded != 1 {
				t.Fatalf("after one change: %+v %v", r3, err)
			}
			// A new pid1 (a fresh store) restores into an empty workspace...
			dst := t.TempDir()
			if _, err := newStore(t, b, dst, "ws1").Restore(ctx); err != nil {
				t.Fatal(err)
			}
			if got, want := tree(t, dst), tree(t, src); got != want {
				t.Fatalf("restored:\n%s\nwant:\n%s", got, want)
			}
			// ...and into a workspace that drifted: extra paths go, changed ones come back.
			put(t, dst, "stray/file", "x", 0o644)
			put(t, dst, "main.py", "drifted", 0o600)
			os.Remove(filepath.Join(dst, "link"))
			os.RemoveAll(filepath.Join(dst, "src"))
			put(t, dst, "src", "now a file", 0o644)
			r, err := newStore(t, b, dst, "ws1").Restore(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := tree(t, dst), tree(t, src); got != want {
				t.Fatalf("restored over drift:\n%s\nwant:\n%s", got, want)
			}
			// Unchanged files were linked from the workspace, not downloaded:
			// only main.py, which drifted, and src/a/deep.txt, whose directory went.
			if r.Files != 7 || r.Downloaded != 2 || r.Reused != 5 {
				t.Fatalf("restore over drift: %+v", r)
			}
			// A fresh store does not upload what the bucket already has.
			if r, err := newStore(t, b, src, "ws1").Take(ctx); err != nil || r.Uploaded != 0 {
				t.Fatalf("after a restart: %+v %v", r, err)
			}
		})
	}
}

// A snapshot that fails leaves the previous one current.
func TestFailedSnapshotKeepsThePrevious(t *testing.T) {
	b := open(t, "file://"+t.TempDir())
	src := t.TempDir()
	put(t, src, "a", "first", 0o644)
	st := newStore(t, b, src, "ws1")
	r1, err := st.Take(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	put(t, src, "a", "second", 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := st.Take(ctx); err == nil {
		t.Fatal("a cancelled snapshot succeeded")
	}
	name, _, err := st.Latest(context.Background())
	if err != nil || name != r1.Manifest {
		t.Fatalf("latest is %q (%v), want %q", name, err, r1.Manifest)
	}
	if _, err := st.Take(context.Background()); err != nil {
		t.Fatalf("the next snapshot: %v", err)
	}
}

func TestRestoreWithoutSnapshot(t *testing.T) {
	b := open(t, "file://"+t.TempDir())
	dst := t.TempDir()
	if _, err := newStore(t, b, dst, "ws1").Restore(context.Background()); err != snapstore.ErrNone {
		t.Fatalf("got %v", err)
	}
}
