package packager

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pid1/pid1/internal/fsroot"
	"github.com/pid1/pid1/internal/language"
)

// Choose picks the workspace's backend among backends: the one its
// .replit names ([packager] language, then its language), else the one
// whose spec or lock file is there, else the one whose language its code
// is in, else the one of fallback (the workspace's language when nothing
// says: pid1 -language). Earlier backends win ties.
func Choose(dir *fsroot.Dir, fallback string, backends []Backend) (Backend, error) {
	cfg, err := language.PackagerConfig(dir)
	if err != nil {
		return nil, err
	}
	if cfg.Language != "" {
		if b := byLanguage(cfg.Language, backends); b != nil {
			return b, nil
		}
		return nil, fmt.Errorf(".replit: [packager] language %q has no package manager here (there are %s)", cfg.Language, names(backends))
	}
	if b := byLanguage(cfg.Workspace, backends); b != nil {
		return b, nil
	}
	var best Backend
	bestP := None
	for _, b := range backends {
		if p := b.Detect(dir); p > bestP {
			best, bestP = b, p
		}
	}
	if best != nil {
		return best, nil
	}
	if b := byLanguage(fallback, backends); b != nil {
		return b, nil
	}
	return nil, fmt.Errorf("no package manager for this workspace: it has no package.json, pyproject.toml, requirements.txt or go.mod and no code pid1 knows; add one, or name one in .replit ([packager] language = %q)", backends[0].Name())
}

func byLanguage(lang string, backends []Backend) Backend {
	if lang == "" {
		return nil
	}
	lang = strings.ToLower(lang)
	for _, b := range backends {
		if b.Name() == lang || slices.Contains(b.Languages(), lang) {
			return b
		}
	}
	return nil
}

func names(backends []Backend) string {
	var ns []string
	for _, b := range backends {
		ns = append(ns, b.Name())
	}
	return strings.Join(ns, ", ")
}

// Exists reports whether the workspace has a file or directory at p.
func Exists(dir *fsroot.Dir, p string) bool {
	_, ok, err := dir.Stat(p)
	return err == nil && ok
}

// HasSources reports whether the workspace's top level holds a file
// with one of the extensions (".py").
func HasSources(dir *fsroot.Dir, exts ...string) bool {
	es, err := dir.ReadDir("")
	if err != nil {
		return false
	}
	for _, e := range es {
		if !e.Dir && slices.ContainsFunc(exts, func(x string) bool { return strings.HasSuffix(e.Name, x) }) {
			return true
		}
	}
	return false
}
