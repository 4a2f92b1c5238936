package fsroot_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/pid1/pid1/internal/fsroot"
	"github.com/pid1/pid1/test/kit/hostile"
)

func write(t *testing.T, root, p, content string) {
	t.Helper()
	full := filepath.Join(root, p)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func openDir(t *testing.T, p string) *fsroot.Dir {
	t.Helper()
	d, err := fsroot.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// Tree describes links as links (with their targets) and never lists
// what they point to, however they point out of the workspace; pid1's
// temporary files are left out; parents come before their children.
func TestTreeFollowsNoLink(t *testing.T) {
	fx := hostile.Setup(t)
	write(t, fx.Workspace, "sub/deeper/file.txt", "inside")
	write(t, fx.Workspace, "sub/.~pid1-0123.tmp", "half a write")
	d := openDir(t, fx.Workspace)
	nodes, err := d.Tree(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]fsroot.Node{}
	for i, n := range nodes {
		if i > 0 && nodes[i-1].Path >= n.Path && !strings.HasPrefix(n.Path, nodes[i-1].Path+"/") {
			t.Errorf("%q listed after %q", n.Path, nodes[i-1].Path)
		}
		if p := fsroot.Parent(n.Path); p != "" {
			if parent, ok := seen[p]; !ok || !parent.Mode.IsDir() {
				t.Errorf("%q listed, but its parent is %+v", n.Path, parent)
			}
		}
		seen[n.Path] = n
		if strings.Contains(n.Path, ".~pid1") {
			t.Errorf("listed %q", n.Path)
		}
	}
	for _, link := range []string{"escape", "rel-escape", "sub/deep-escape", "sub/root", "loop", "dotdot"} {
		n, ok := seen[link]
		if !ok || n.Mode&fs.ModeSymlink == 0 || n.Target == "" {
			t.Errorf("%s: %+v, want a link with its target", link, n)
		}
	}
	if n := seen["escape"]; n.Target != fx.Outside {
		t.Errorf("escape's target is %q, want %q", n.Target, fx.Outside)
	}
	if n := seen["sub/deeper/file.txt"]; !n.Mode.IsRegular() || n.Size != 6 || n.Ino == 0 || n.MTime == 0 {
		t.Errorf("file: %+v", n)
	}
	fx.Check(t, "Tree")
}

func TestOpenNoFollow(t *testing.T) {
	fx := hostile.Setup(t)
	write(t, fx.Workspace, "sub/deeper/file.txt", "inside")
	os.Symlink("deeper", filepath.Join(fx.Workspace, "sub/inner-link"))
	os.Symlink("file.txt", filepath.Join(fx.Workspace, "sub/deeper/file-link"))
	d := openDir(t, fx.Workspace)
	f, err := d.OpenNoFollow("sub/deeper/file.txt")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(f)
	f.Close()
	if string(b) != "inside" {
		t.Fatalf("read %q", b)
	}
	// Links are refused wherever they are, even those that stay inside.
	for _, p := range []string{"sub/inner-link/file.txt", "sub/deeper/file-link", "link-to-secret", "escape/secret", "sub/deep-escape/secret", "dotdot/outside/secret"} {
		if f, err := d.OpenNoFollow(p); err == nil {
			f.Close()
			t.Errorf("OpenNoFollow(%q) opened it", p)
		} else if !errors.Is(err, syscall.ELOOP) && !errors.Is(err, syscall.ENOTDIR) {
			t.Errorf("OpenNoFollow(%q): %v, want ELOOP", p, err)
		}
	}
	if _, err := d.OpenNoFollow("sub"); !errors.Is(err, fsroot.ErrNotRegular) {
		t.Errorf("a directory: %v", err)
	}
	for _, p := range hostile.Paths() {
		if f, err := d.OpenNoFollow(p); err == nil {
			b, _ := io.ReadAll(f)
			f.Close()
			if strings.Contains(string(b), hostile.Secret) {
				t.Errorf("OpenNoFollow(%q) read the secret", p)
			}
		}
	}
}

// A tree deeper than MaxDepth is an error that names it, not a crash or
// a silent cut.
func TestTreeDepthLimit(t *testing.T) {
	ws := t.TempDir()
	deep := filepath.Join(ws, strings.Repeat("d/", fsroot.MaxDepth))
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	d := openDir(t, ws)
	if _, err := d.Tree(context.Background()); err != nil {
		t.Fatalf("%d levels: %v", fsroot.MaxDepth, err)
	}
	os.WriteFile(filepath.Join(deep, "one-more"), nil, 0o644)
	if _, err := d.Tree(context.Background()); err == nil || !strings.Contains(err.Error(), "more than 512 directories deep") {
		t.Fatalf("%d levels: %v", fsroot.MaxDepth+1, err)
	}
}
