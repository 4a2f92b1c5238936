// Package hostile holds the paths a malicious client might send to escape
// the workspace, and a fixture of symbolic links pointing out of it, for
// the tests of every service that takes a path.
package hostile

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Secret is the content of the file outside the workspace; no reply may
// ever contain it.
const Secret = "the secret outside the workspace"

// Fixture is a workspace with links pointing out of it, next to a
// directory that must stay untouched.
type Fixture struct {
	Workspace string
	Outside   string
	before    string
}

// Setup creates the fixture under a temporary directory.
func Setup(t testing.TB) *Fixture {
	t.Helper()
	base := t.TempDir()
	f := &Fixture{Workspace: filepath.Join(base, "workspace"), Outside: filepath.Join(base, "outside")}
	for _, d := range []string{f.Workspace + "/sub/deeper", f.Outside + "/dir"} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, content := range map[string]string{"secret": Secret, "dir/secret": Secret} {
		if err := os.WriteFile(filepath.Join(f.Outside, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f.Relink(t)
	f.before = f.state(t)
	return f
}

// links are created (or recreated) by Relink, relative to the workspace.
var links = map[string]string{
	"escape":           "OUTSIDE",
	"rel-escape":       "../outside",
	"link-to-secret":   "../outside/secret",
	"abs-to-secret":    "OUTSIDE/secret",
	"sub/deep-escape":  "../../outside",
	"sub/deeper/up":    "../../../outside/dir",
	"loop":             "loop",
	"dotdot":           "..",
	"chain1":           "chain2",
	"chain2":           "../outside",
	"proc-root":        "/proc/self/root",
	"etc":              "/etc",
	"sub/root":         "/",
	"self-parent-loop": "sub/../dotdot",
}

// Relink restores every link of the fixture (an operation such as remove
// may legitimately have deleted one).
func (f *Fixture) Relink(t testing.TB) {
	t.Helper()
	for name, target := range links {
		target = strings.ReplaceAll(target, "OUTSIDE", f.Outside)
		p := filepath.Join(f.Workspace, name)
		os.RemoveAll(p)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
}

// Paths are the hostile paths: each either is refused or acts on the
// workspace only.
func Paths() []string {
	return []string{
		"..", "../", "../secret", "../outside/secret", "./../secret", "a/../../secret",
		"sub/../../outside/secret", "a/b/../../../outside/secret", "/", "/etc/passwd", "//etc/passwd",
		"/proc/self/root/etc/passwd", "\x00", "secret\x00.txt", "..\x00/secret", "sub/\x00",
		strings.Repeat("a/", 2100), strings.Repeat("../", 40) + "etc/passwd",
		"escape", "escape/secret", "escape/dir/secret", "escape/new-file", "rel-escape",
		"rel-escape/secret", "rel-escape/new-file", "link-to-secret", "abs-to-secret",
		"sub/deep-escape", "sub/deep-escape/secret", "sub/deeper/up", "sub/deeper/up/secret",
		"loop", "loop/x", "dotdot", "dotdot/outside/secret", "chain1", "chain1/secret",
		"chain1/dir/new-file", "proc-root/etc/passwd", "etc/passwd", "etc/new-file",
		"sub/root/etc/passwd", "self-parent-loop/outside/secret",
	}
}

// Check fails the test if anything outside the workspace changed.
func (f *Fixture) Check(t testing.TB, what string) {
	t.Helper()
	if now := f.state(t); now != f.before {
		t.Fatalf("%s changed the directory outside the workspace:\nbefore %s\nafter  %s", what, f.before, now)
	}
}

// state summarises the outside directory: names, modes and content hashes.
func (f *Fixture) state(t testing.TB) string {
	t.Helper()
	var parts []string
	err := filepath.WalkDir(f.Outside, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		entry := p + " " + info.Mode().String()
		if d.Type().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			entry += " " + hex.EncodeToString(sum[:8])
		}
		parts = append(parts, entry)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}

// IsLink reports whether p names one of the fixture's links itself, which
// remove and move may legitimately act on (without touching the target).
func IsLink(p string) bool {
	_, ok := links[p]
	return ok
}
