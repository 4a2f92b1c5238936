package storage

import (
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// Escaping is reversible, and what a file:// bucket stores stays inside
// it: no control character, no empty path element, no element that reads
// as an unfinished write, no path that climbs out.
func FuzzEscape(f *testing.F) {
	for _, k := range []string{"a/b", "ctl\x01", "__0x41__", "__0x__", "__0xzz__", "../x", "a//b", "a/", ".pid1-put-x", "a/.pid1-put-", "\xff"} {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, key string) {
		if !utf8.ValidString(key) {
			return // stored with U+FFFD, as gocloud.dev did
		}
		for _, must := range []func([]rune, int) bool{escapeDotDotSlash, fileEscape} {
			if got := unescapeKey(escapeKey(key, must)); got != key {
				t.Fatalf("%q escaped to %q, back to %q", key, escapeKey(key, must), got)
			}
		}
		e := escapeKey(key, fileEscape)
		for _, el := range strings.Split(e, "/") {
			if strings.ContainsFunc(el, func(r rune) bool { return r < 32 }) || strings.HasPrefix(el, tempPrefix) {
				t.Fatalf("%q stored as %q", key, e)
			}
		}
		if strings.Contains(e, "//") || strings.HasSuffix(e, "/") {
			t.Fatalf("%q stored as %q", key, e)
		}
		fb := &fileBackend{dir: "/bucket"}
		if p := fb.path(key); p != "" && !strings.HasPrefix(p, "/bucket/") || p == "" && filepath.Clean("/bucket/"+e) != "/bucket" && strings.HasPrefix(filepath.Clean("/bucket/"+e), "/bucket/") {
			t.Fatalf("%q: path %q", key, p)
		}
	})
}
