package fsroot_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pid1/pid1/internal/fsroot"
	"github.com/pid1/pid1/test/kit/hostile"
)

func TestClean(t *testing.T) {
	good := map[string]string{
		"": "", ".": "", "./": "", "a": "a", "a/": "a", "./a/b/": "a/b", "a//b": "a/b",
		"a/./b": "a/b", "a/../b": "b", "a/..": "", "...": "...", "..a": "..a", "a/..b": "a/..b",
		"with space/ünïcode": "with space/ünïcode",
	}
	for in, want := range good {
		if got, err := fsroot.Clean(in); err != nil || got != want {
			t.Errorf("Clean(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	bad := map[string]string{
		"..":                          `path ".." leaves the workspace`,
		"../a":                        `path "../a" leaves the workspace`,
		"a/../../b":                   `path "a/../../b" leaves the workspace`,
		"/etc":                        `path "/etc" is absolute; paths are relative to the workspace, e.g. "src/main.go"`,
		"a\x00":                       `path "a\x00" contains a NUL byte`,
		strings.Repeat("x", 4097):     "path is 4097 bytes long; the limit is 4096",
		"./../a":                      `path "./../a" leaves the workspace`,
		strings.Repeat("../", 9) + "": `path "../../../../../../../../../" leaves the workspace`,
	}
	for in, want := range bad {
		if got, err := fsroot.Clean(in); err == nil || err.Error() != want {
			t.Errorf("Clean(%q) = %q, %v; want error %q", in, got, err, want)
		}
	}
}

// FuzzPaths feeds arbitrary paths to Clean and to every Dir operation in a
// workspace full of links pointing out of it: Clean's result never leaves
// the workspace, and nothing outside is ever read or changed.
func FuzzPaths(f *testing.F) {
	for _, p := range hostile.Paths() {
		f.Add(p)
	}
	fx := hostile.Setup(f)
	d, err := fsroot.Open(fx.Workspace)
	if err != nil {
		f.Fatal(err)
	}
	defer d.Close()
	f.Fuzz(func(t *testing.T, p string) {
		if c, err := fsroot.Clean(p); err == nil {
			if c == ".." || strings.HasPrefix(c, "../") || strings.HasPrefix(c, "/") || strings.Contains(c, "\x00") ||
				strings.HasSuffix(c, "/") || strings.Contains(c, "/../") || strings.HasSuffix(c, "/..") {
				t.Fatalf("Clean(%q) = %q", p, c)
			}
		}
		if b, err := d.Read(p); err == nil && strings.Contains(string(b), hostile.Secret) {
			t.Fatalf("Read(%q) leaked the secret", p)
		}
		if f, err := d.OpenNoFollow(p); err == nil {
			b := make([]byte, 256)
			n, _ := f.Read(b)
			f.Close()
			if strings.Contains(string(b[:n]), hostile.Secret) {
				t.Fatalf("OpenNoFollow(%q) leaked the secret", p)
			}
		}
		d.Stat(p)
		d.ReadDir(p)
		d.Write(p, []byte("fuzz"))
		d.Mkdir(p)
		d.Move(p, "fuzz-moved")
		d.TryRemove(p)
		fx.Check(t, fmt.Sprintf("fuzzed path %q", p))
		fx.Relink(t)
	})
}
