package snapstore_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pid1/pid1/test/kit/testutil"

	"github.com/pid1/pid1/internal/snapstore"
	"github.com/pid1/pid1/internal/storage"
)

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// plant makes m the latest snapshot of workspace id in b, with the blobs
// in blobs (content by hash).
func plant(t *testing.T, b *storage.Bucket, id string, m any, blobs ...string) {
	t.Helper()
	ctx := context.Background()
	body, ok := m.([]byte)
	if !ok {
		var err error
		if body, err = json.Marshal(m); err != nil {
			t.Fatal(err)
		}
	}
	key := "workspaces/" + id + "/manifests/00000000000000000001.json"
	if err := b.WriteAll(ctx, key, body); err != nil {
		t.Fatal(err)
	}
	if err := b.WriteAll(ctx, "workspaces/"+id+"/latest", []byte(key)); err != nil {
		t.Fatal(err)
	}
	for _, c := range blobs {
		h := sha(c)
		if err := b.WriteAll(ctx, "blobs/"+h[:2]+"/"+h, []byte(c)); err != nil {
			t.Fatal(err)
		}
	}
}

type entry = map[string]any

func manifest(id string, entries ...entry) map[string]any {
	return map[string]any{"version": 1, "workspace": id, "created": "2026-11-23T12:00:00Z", "entries": entries}
}

func dir(p string) entry { return entry{"path": p, "kind": "dir", "mode": 0o755} }
func file(p, content string) entry {
	return entry{"path": p, "kind": "file", "mode": 0o644, "size": len(content), "sha256": sha(content)}
}
func link(p, target string) entry {
	return entry{"path": p, "kind": "link", "mode": 0o777, "target": target}
}

// A manifest from storage is checked as a whole before anything is
// written: every refusal says what was wrong, and the workspace stays
// byte-identical with nothing written outside it.
func TestHostileManifestsChangeNothing(t *testing.T) {
	base := t.TempDir()
	ws, outside := filepath.Join(base, "ws"), filepath.Join(base, "outside")
	put(t, ws, "precious.txt", "precious", 0o600)
	put(t, ws, "src/main.go", "package main", 0o644)
	os.MkdirAll(outside, 0o755)
	before, outsideBefore := testutil.Tree(t, ws), testutil.Tree(t, outside)
	deep := strings.TrimSuffix(strings.Repeat("d/", 513), "/")
	var deepEntries []entry
	for p := deep; p != ""; p = filepath.Dir(p) {
		deepEntries = append(deepEntries, dir(p))
		if !strings.Contains(p, "/") {
			break
		}
	}
	good := []entry{dir("a"), file("a/x", "x"), file("b", "b")}
	cases := []struct {
		name    string
		m       any
		latest  string // replaces the latest pointer when set
		message string
	}{
		{"parent path", manifest("ws1", dir("../escape")), "", `bad path: path "../escape" leaves the workspace`},
		{"absolute path", manifest("ws1", file("/etc/passwd", "x")), "", `bad path: path "/etc/passwd" is absolute`},
		{"escape midway", manifest("ws1", dir("a"), dir("a/../../x")), "", `leaves the workspace`},
		{"root entry", manifest("ws1", dir("")), "", `bad path "": an entry for the workspace root`},
		{"NUL byte", manifest("ws1", file("a\x00b", "x")), "", `contains a NUL byte`},
		{"not clean", manifest("ws1", dir("./a")), "", `bad path "./a": not in clean form`},
		{"duplicate", manifest("ws1", file("a", "x"), dir("a")), "", `"a" appears twice`},
		{"under a link", manifest("ws1", link("l", outside), file("l/x", "x")), "", `"l/x" lies beneath "l", which is a link, not a directory`},
		{"under a relative link", manifest("ws1", link("l", "../outside"), dir("l/d"), file("l/d/x", "x")), "", `lies beneath "l", which is a link`},
		{"under a file", manifest("ws1", file("f", "x"), dir("f/x")), "", `lies beneath "f", which is a file`},
		{"no parent", manifest("ws1", file("a/b", "x")), "", `"a/b" has no entry for its directory "a"`},
		{"temporary name", manifest("ws1", file(".~pid1-x.tmp", "x")), "", `is one of pid1's temporary names`},
		{"long name", manifest("ws1", file(strings.Repeat("n", 256), "x")), "", `a name of 256 bytes; the limit is 255`},
		{"too deep", manifest("ws1", deepEntries...), "", `513 levels deep; the limit is 512`},
		{"setuid", manifest("ws1", entry{"path": "su", "kind": "file", "mode": 0o4755, "sha256": sha("x"), "size": 1}), "", `only permission bits`},
		{"hash not hex", manifest("ws1", entry{"path": "h", "kind": "file", "mode": 0o644, "sha256": strings.Repeat("../", 21) + "x"}), "", `has no content hash`},
		{"link without target", manifest("ws1", entry{"path": "l", "kind": "link", "mode": 0o777}), "", `link "l" has no target`},
		{"link target NUL", manifest("ws1", link("l", "a\x00b")), "", `target with a NUL byte`},
		{"unknown kind", manifest("ws1", entry{"path": "p", "kind": "fifo", "mode": 0o644}), "", `unknown kind "fifo"`},
		{"other workspace", manifest("other", good...), "", `taken of workspace "other", not of this one ("ws1")`},
		{"version", map[string]any{"version": 2, "workspace": "ws1", "entries": good}, "", `version 2`},
		{"not JSON", "{", "", `manifest: unexpected end of JSON input`},
		{"latest elsewhere", manifest("ws1", good...), "workspaces/other/manifests/1.json", `not a manifest of this workspace`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := open(t, "file://"+t.TempDir())
			if s, ok := c.m.(string); ok {
				plant(t, b, "ws1", []byte(s))
			} else {
				plant(t, b, "ws1", c.m, "x", "b")
			}
			if c.latest != "" {
				b.WriteAll(context.Background(), "workspaces/ws1/latest", []byte(c.latest))
			}
			_, err := newStore(t, b, ws, "ws1").Restore(context.Background())
			if err == nil || !strings.Contains(err.Error(), c.message) {
				t.Fatalf("Restore: %v\nwant an error saying %q", err, c.message)
			}
			if got := testutil.Tree(t, ws); got != before {
				t.Fatalf("the workspace changed:\n%s\nwas:\n%s", got, before)
			}
			if got := testutil.Tree(t, outside); got != outsideBefore {
				t.Fatalf("outside changed:\n%s", got)
			}
		})
	}
}

// A restore that fails midway, after part of the snapshot was staged (a
// blob missing, a blob whose content is not what its hash says), leaves
// the workspace byte-identical.
func TestFailedRestoreLeavesTheWorkspace(t *testing.T) {
	for _, damage := range []string{"missing blob", "tampered blob"} {
		t.Run(damage, func(t *testing.T) {
			b := open(t, "file://"+t.TempDir())
			ws := t.TempDir()
			put(t, ws, "precious.txt", "mine", 0o600)
			put(t, ws, "shared.txt", "the same in both", 0o644)
			before := testutil.Tree(t, ws)
			var entries []entry
			var blobs []string
			for i := range 50 {
				c := fmt.Sprintf("content %d", i)
				entries = append(entries, file(fmt.Sprintf("f%02d", i), c))
				blobs = append(blobs, c)
			}
			entries = append(entries, file("shared.txt", "the same in both"), file("zz-last", "the last one"))
			plant(t, b, "ws1", manifest("ws1", entries...), blobs...)
			h := sha("the last one")
			if damage == "tampered blob" {
				b.WriteAll(context.Background(), "blobs/"+h[:2]+"/"+h, []byte("not the last one"))
			}
			_, err := newStore(t, b, ws, "ws1").Restore(context.Background())
			want := map[string]string{"missing blob": "reading its content " + h, "tampered blob": "does not match its hash"}[damage]
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("Restore: %v, want %q", err, want)
			}
			if got := testutil.Tree(t, ws); got != before {
				t.Fatalf("the workspace changed:\n%s\nwas:\n%s", got, before)
			}
		})
	}
}

// A link is stored as a link and restored as one, wherever it points: the
// restore never writes through it, and nothing outside is read or written.
func TestLinksAreStoredAndRestoredAsLinks(t *testing.T) {
	base := t.TempDir()
	ws, outside := filepath.Join(base, "ws"), filepath.Join(base, "outside")
	put(t, outside, "secret", "OUTSIDE", 0o644)
	put(t, ws, "venv/lib/x.py", "x = 1", 0o644)
	os.Symlink("/usr/bin/python3", filepath.Join(ws, "venv/python"))
	os.Symlink(outside, filepath.Join(ws, "out"))
	os.Symlink("../outside/secret", filepath.Join(ws, "rel"))
	os.Symlink("lib", filepath.Join(ws, "venv/lib64"))
	b := open(t, "file://"+t.TempDir())
	st := newStore(t, b, ws, "ws1")
	if _, err := st.Take(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, m, err := st.Latest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	links := map[string]string{}
	for _, e := range m.Entries {
		if e.Kind == "link" {
			links[e.Path] = e.Target
		}
		if strings.HasPrefix(e.Path, "out/") || e.Hash == sha("OUTSIDE") {
			t.Errorf("stored %+v from outside", e)
		}
	}
	want := map[string]string{"venv/python": "/usr/bin/python3", "out": outside, "rel": "../outside/secret", "venv/lib64": "lib"}
	if fmt.Sprint(links) != fmt.Sprint(want) {
		t.Fatalf("links stored: %v, want %v", links, want)
	}
	outsideBefore := testutil.Tree(t, outside)
	dst := filepath.Join(base, "restored")
	if _, err := newStore(t, b, dst, "ws1").Restore(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, w := testutil.Tree(t, dst), testutil.Tree(t, ws); got != w {
		t.Fatalf("restored:\n%s\nwant:\n%s", got, w)
	}
	if got := testutil.Tree(t, outside); got != outsideBefore {
		t.Fatalf("outside changed:\n%s", got)
	}
}

// Snapshots belong to a workspace: in a shared bucket, a workspace with
// another id restores nothing and deletes nothing.
func TestAnotherWorkspaceRestoresNothing(t *testing.T) {
	b := open(t, "file://"+t.TempDir())
	a, other := t.TempDir(), t.TempDir()
	put(t, a, "a.txt", "workspace a", 0o644)
	put(t, other, "precious.txt", "workspace other", 0o644)
	if _, err := newStore(t, b, a, "ws-a").Take(context.Background()); err != nil {
		t.Fatal(err)
	}
	before := testutil.Tree(t, other)
	if _, err := newStore(t, b, other, "ws-other").Restore(context.Background()); !errors.Is(err, snapstore.ErrNone) {
		t.Fatalf("Restore: %v, want ErrNone", err)
	}
	if got := testutil.Tree(t, other); got != before {
		t.Fatalf("the other workspace changed:\n%s\nwas:\n%s", got, before)
	}
	// The same workspace id restores it, of course.
	dst := t.TempDir()
	if _, err := newStore(t, b, dst, "ws-a").Restore(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, w := testutil.Tree(t, dst), testutil.Tree(t, a); got != w {
		t.Fatalf("restored:\n%s\nwant:\n%s", got, w)
	}
}

func TestWorkspaceIDs(t *testing.T) {
	for _, id := range []string{"a", "ws-1", "repl_42.main", strings.Repeat("x", 128)} {
		if err := snapstore.CheckID(id); err != nil {
			t.Errorf("CheckID(%q): %v", id, err)
		}
	}
	for _, id := range []string{"", "-a", ".a", "a/b", "..", "a b", "é", strings.Repeat("x", 129)} {
		if err := snapstore.CheckID(id); err == nil {
			t.Errorf("CheckID(%q) accepted it", id)
		}
	}
}
