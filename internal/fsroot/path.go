package fsroot

import (
	"fmt"
	"path"
	"strings"
)

// MaxPathBytes is the longest path a client may send (PATH_MAX).
const MaxPathBytes = 4096

// Clean checks a client path and returns it in canonical form: relative,
// slash-separated, without "./" or a trailing "/"; "" is the workspace
// root. "." and "./x" and "x/" are accepted as spellings of "" and "x".
// Absolute paths, NUL bytes and paths that leave the workspace by ".." are
// refused with an error that says which rule was broken.
func Clean(p string) (string, error) {
	switch {
	case len(p) > MaxPathBytes:
		return "", fmt.Errorf("path is %d bytes long; the limit is %d", len(p), MaxPathBytes)
	case strings.IndexByte(p, 0) >= 0:
		return "", fmt.Errorf("path %q contains a NUL byte", p)
	case strings.HasPrefix(p, "/"):
		return "", fmt.Errorf("path %q is absolute; paths are relative to the workspace, e.g. \"src/main.go\"", p)
	}
	c := path.Clean(p)
	if c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("path %q leaves the workspace", p)
	}
	if c == "." {
		return "", nil
	}
	return c, nil
}

// osName is what os.Root takes for a clean client path.
func osName(clean string) string {
	if clean == "" {
		return "."
	}
	return clean
}

// Join joins clean paths the way clients spell them ("" is the root).
func Join(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// Parent returns the directory holding a clean path ("" for top-level
// names and for the root itself).
func Parent(clean string) string {
	i := strings.LastIndexByte(clean, '/')
	if i < 0 {
		return ""
	}
	return clean[:i]
}
