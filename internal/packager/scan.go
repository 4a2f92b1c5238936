package packager

import (
	"path"
	"slices"
	"strings"

	"github.com/pid1/pid1/internal/fsroot"
)

// Scan limits: guessing reads the workspace's code, not everything in it.
const (
	MaxScanEntries = 5000    // directory entries visited
	MaxSourceSize  = 1 << 20 // larger files are not read
)

// skippedDirs hold installed packages, caches or build output, whose
// imports are not the workspace's own.
var skippedDirs = []string{"node_modules", "__pycache__", "venv", "vendor", "site-packages", "dist", "build"}

// Source is one file of the workspace's code.
type Source struct {
	Path string // workspace path
	Text string
}

// Sources reads the workspace's files with one of the extensions: those
// named in files (when not empty), else every one beneath the workspace,
// skipping hidden directories, installed packages (node_modules, a
// virtual environment), the ignored paths, and files over MaxSourceSize;
// at most MaxScanEntries entries are visited.
func Sources(dir *fsroot.Dir, files []string, ignored []string, exts ...string) []Source {
	match := func(name string) bool {
		return slices.ContainsFunc(exts, func(x string) bool { return strings.HasSuffix(name, x) })
	}
	var out []Source
	read := func(p string) {
		if info, ok, err := dir.Stat(p); err != nil || !ok || info.Dir || info.Size > MaxSourceSize {
			return
		}
		if b, err := dir.Read(p); err == nil {
			out = append(out, Source{Path: p, Text: string(b)})
		}
	}
	if len(files) > 0 {
		for _, f := range files {
			if c, err := fsroot.Clean(f); err == nil && match(c) {
				read(c)
			}
		}
		return out
	}
	isIgnored := func(p string) bool {
		return slices.ContainsFunc(ignored, func(ig string) bool {
			ig = strings.Trim(ig, "/")
			return p == ig || strings.HasPrefix(p, ig+"/")
		})
	}
	visited := 0
	queue := []string{""}
	for len(queue) > 0 && visited < MaxScanEntries {
		d := queue[0]
		queue = queue[1:]
		es, err := dir.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range es {
			if visited++; visited > MaxScanEntries {
				break
			}
			p := path.Join(d, e.Name)
			if isIgnored(p) {
				continue
			}
			switch {
			case e.Dir && !strings.HasPrefix(e.Name, ".") && !slices.Contains(skippedDirs, e.Name) && !Exists(dir, path.Join(p, "pyvenv.cfg")):
				queue = append(queue, p)
			case !e.Dir && match(e.Name):
				read(p)
			}
		}
	}
	return out
}

// Pragma is the package a line's trailing comment names with
// "upm package(NAME)", if any: the user's override of a guess.
func Pragma(line string) string {
	_, rest, ok := strings.Cut(line, "upm package(")
	if !ok {
		return ""
	}
	name, _, ok := strings.Cut(rest, ")")
	if !ok {
		return ""
	}
	return strings.TrimSpace(name)
}
