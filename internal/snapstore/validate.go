package snapstore

import (
	"fmt"
	"strings"

	"github.com/pid1/pid1/internal/fsroot"
)

// validate checks a manifest's entries as a whole, before a restore
// touches anything. Every path is clean and relative, at most
// fsroot.MaxPathBytes long and fsroot.MaxDepth deep, every name at most
// fsroot.MaxNameBytes and not one of pid1's temporary names, and no path
// appears twice. Every entry's parent is a directory entry of the
// manifest, so nothing lies beneath a link or a file: a restore creates a
// link and never writes through one, so a link may point anywhere (a
// virtualenv's bin/python points to /usr/bin/python3) without letting the
// restore reach outside. A file has a SHA-256 of lowercase hex and a size,
// a link a target; modes are permission bits only (no setuid, setgid or
// sticky bit comes from storage).
func validate(entries []Entry) error {
	kinds := make(map[string]string, len(entries))
	for _, e := range entries {
		if err := checkPath(e.Path); err != nil {
			return err
		}
		if _, dup := kinds[e.Path]; dup {
			return fmt.Errorf("%q appears twice", e.Path)
		}
		kinds[e.Path] = e.Kind
		if e.Mode&^0o777 != 0 {
			return fmt.Errorf("%q has mode %#o: only permission bits (0777) are restored", e.Path, e.Mode)
		}
		switch e.Kind {
		case "file":
			if !isHash(e.Hash) {
				return fmt.Errorf("%q has no content hash (want 64 lowercase hex digits, got %q)", e.Path, e.Hash)
			}
			if e.Size < 0 {
				return fmt.Errorf("%q has a negative size", e.Path)
			}
		case "dir":
		case "link":
			switch {
			case e.Target == "":
				return fmt.Errorf("link %q has no target", e.Path)
			case strings.IndexByte(e.Target, 0) >= 0:
				return fmt.Errorf("link %q has a target with a NUL byte", e.Path)
			case len(e.Target) > fsroot.MaxPathBytes:
				return fmt.Errorf("link %q has a target of %d bytes; the limit is %d", e.Path, len(e.Target), fsroot.MaxPathBytes)
			}
		default:
			return fmt.Errorf("%q has unknown kind %q", e.Path, e.Kind)
		}
		if e.Kind != "file" && (e.Hash != "" || e.Size != 0) {
			return fmt.Errorf("%q is a %s with a content hash or size", e.Path, e.Kind)
		}
		if e.Kind != "link" && e.Target != "" {
			return fmt.Errorf("%q is a %s with a link target", e.Path, e.Kind)
		}
	}
	for _, e := range entries {
		parent := fsroot.Parent(e.Path)
		if parent == "" {
			continue
		}
		switch k, ok := kinds[parent]; {
		case !ok:
			return fmt.Errorf("%q has no entry for its directory %q", e.Path, parent)
		case k != "dir":
			return fmt.Errorf("%q lies beneath %q, which is a %s, not a directory", e.Path, parent, k)
		}
	}
	return nil
}

// checkPath refuses a path a restore must not create.
func checkPath(p string) error {
	c, err := fsroot.Clean(p)
	switch {
	case err != nil:
		return fmt.Errorf("bad path: %w", err)
	case c == "":
		return fmt.Errorf("bad path %q: an entry for the workspace root", p)
	case c != p:
		return fmt.Errorf("bad path %q: not in clean form (%q)", p, c)
	}
	depth := 0
	for name := range strings.SplitSeq(p, "/") {
		depth++
		switch {
		case len(name) > fsroot.MaxNameBytes:
			return fmt.Errorf("bad path %.80q…: a name of %d bytes; the limit is %d", p, len(name), fsroot.MaxNameBytes)
		case fsroot.IsTemp(name):
			return fmt.Errorf("bad path %q: %q is one of pid1's temporary names", p, name)
		}
	}
	if depth > fsroot.MaxDepth {
		return fmt.Errorf("bad path %.80q…: %d levels deep; the limit is %d", p, depth, fsroot.MaxDepth)
	}
	return nil
}

func isHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	for i := range len(h) {
		if c := h[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
