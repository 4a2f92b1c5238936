package snapstore

import (
	"strings"
	"testing"

	"github.com/pid1/pid1/internal/fsroot"
)

// FuzzManifest feeds arbitrary bytes to the manifest decoder, which reads
// what storage holds: it never panics, and whatever it accepts is a tree a
// restore can build without leaving the workspace (clean relative paths,
// each once, each beneath a directory entry, hex hashes).
func FuzzManifest(f *testing.F) {
	f.Add([]byte(`{"version":1,"workspace":"w","entries":[{"path":"a","kind":"dir","mode":493},{"path":"a/b","kind":"file","mode":420,"sha256":"` + strings.Repeat("ab", 32) + `"},{"path":"l","kind":"link","mode":511,"target":"/etc"}]}`))
	f.Add([]byte(`{"version":1,"workspace":"w","entries":[{"path":"l","kind":"link","mode":511,"target":".."},{"path":"l/x","kind":"dir","mode":493}]}`))
	f.Add([]byte(`{"version":1,"workspace":"w","entries":[{"path":"","pathBytes":"Li4vZXNjYXBl","kind":"dir","mode":493}]}`))
	f.Add([]byte(`{"version":1,"workspace":"w","entries":[{"path":"a","kind":"dir","mode":493},{"path":"a","kind":"file","mode":420}]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodeManifest(b, "w")
		if err != nil {
			return
		}
		kinds := map[string]string{}
		for _, e := range m.Entries {
			if c, err := fsroot.Clean(e.Path); err != nil || c != e.Path || c == "" {
				t.Fatalf("accepted path %q", e.Path)
			}
			if _, dup := kinds[e.Path]; dup {
				t.Fatalf("accepted %q twice", e.Path)
			}
			kinds[e.Path] = e.Kind
			if e.Kind == "file" && !isHash(e.Hash) {
				t.Fatalf("accepted hash %q", e.Hash)
			}
		}
		for _, e := range m.Entries {
			if p := fsroot.Parent(e.Path); p != "" && kinds[p] != "dir" {
				t.Fatalf("accepted %q beneath a %q", e.Path, kinds[p])
			}
		}
	})
}
