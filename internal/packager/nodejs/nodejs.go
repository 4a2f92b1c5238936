package nodejs

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/pid1/pid1/internal/fsroot"
	"github.com/pid1/pid1/internal/packager"
)

// Backend is the Node.js backend.
type Backend struct{}

var _ packager.Backend = Backend{}

const (
	specfile = "package.json"
	lockfile = "package-lock.json"
)

func (Backend) Name() string { return "nodejs" }
func (Backend) Languages() []string {
	return []string{"node", "javascript", "typescript", "js", "ts", "nodejs-npm"}
}

// sourceExts are the files Guess reads.
var sourceExts = []string{".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx"}

func (Backend) Detect(dir *fsroot.Dir) packager.Presence {
	switch {
	case packager.Exists(dir, specfile) || packager.Exists(dir, lockfile):
		return packager.Managed
	case packager.HasSources(dir, sourceExts...):
		return packager.Code
	}
	return packager.None
}

func (Backend) Files(packager.Workspace) []string { return []string{specfile, lockfile} }

// npmFlags keep npm's output to what the user needs.
var npmFlags = []string{"--no-audit", "--no-fund"}

func npm(args ...string) []string { return append(append([]string{"npm"}, args...), npmFlags...) }

// run runs npm, turning a failure into npm's own error lines.
func run(ctx context.Context, w packager.Workspace, args ...string) error {
	return packager.Explain(w.Run(ctx, npm(args...)), errorLine)
}

// errorLine keeps npm's error lines, without the pointer to its log.
func errorLine(l string) bool {
	rest, ok := strings.CutPrefix(l, "npm error")
	if !ok {
		rest, ok = strings.CutPrefix(l, "npm ERR!")
	}
	rest = strings.TrimSpace(rest)
	return ok && rest != "" && !strings.HasPrefix(rest, "A complete log") && strings.Trim(rest, "0123456789 ") != ""
}

func (b Backend) Add(ctx context.Context, w packager.Workspace, pkgs []packager.Pkg) error {
	args := []string{"install"}
	for _, p := range pkgs {
		if err := checkName(p.Name); err != nil {
			return err
		}
		if strings.ContainsAny(p.Spec, " \t\n\r") || strings.HasPrefix(p.Spec, "-") {
			return fmt.Errorf("%s: %q is not a version range, tag or URL", p.Name, p.Spec)
		}
		if p.Spec != "" {
			args = append(args, p.Name+"@"+p.Spec)
		} else {
			args = append(args, p.Name)
		}
	}
	if !packager.Exists(w.Dir(), specfile) {
		if err := run(ctx, w, "init", "-y"); err != nil {
			return err
		}
	}
	return run(ctx, w, args...)
}

func (b Backend) Remove(ctx context.Context, w packager.Workspace, names []string) error {
	deps, err := b.ListSpecfile(ctx, w)
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := checkName(n); err != nil {
			return err
		}
		if !has(deps, n) {
			return fmt.Errorf("%s is not a dependency in package.json", n)
		}
	}
	return run(ctx, w, append([]string{"uninstall"}, names...)...)
}

func has(pkgs []packager.Pkg, name string) bool {
	for _, p := range pkgs {
		if p.Name == name {
			return true
		}
	}
	return false
}

func (Backend) Lock(ctx context.Context, w packager.Workspace) error {
	if !packager.Exists(w.Dir(), specfile) {
		return nil
	}
	return run(ctx, w, "install", "--package-lock-only")
}

func (Backend) Install(ctx context.Context, w packager.Workspace) error {
	switch {
	case packager.Exists(w.Dir(), lockfile):
		return run(ctx, w, "ci")
	case packager.Exists(w.Dir(), specfile):
		return run(ctx, w, "install")
	}
	return nil
}

// manifest is the part of package.json the backend reads.
type manifest struct {
	Dependencies    map[string]string `json:"dependencies"`
	DevDependencies map[string]string `json:"devDependencies"`
}

func (Backend) ListSpecfile(_ context.Context, w packager.Workspace) ([]packager.Pkg, error) {
	data, err := w.Dir().Read(specfile)
	if err != nil {
		if packager.Exists(w.Dir(), specfile) {
			return nil, err
		}
		return nil, nil
	}
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("package.json: %w", err)
	}
	var out []packager.Pkg
	for _, deps := range []map[string]string{m.Dependencies, m.DevDependencies} {
		for n, s := range deps {
			out = append(out, packager.Pkg{Name: n, Spec: s})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// lock is the part of package-lock.json the backend reads: packages
// (lockfile versions 2 and 3) or dependencies (version 1).
type lock struct {
	LockfileVersion int `json:"lockfileVersion"`
	Packages        map[string]struct {
		Version string `json:"version"`
	} `json:"packages"`
	Dependencies map[string]struct {
		Version string `json:"version"`
	} `json:"dependencies"`
}

func (Backend) ListLockfile(_ context.Context, w packager.Workspace) ([]packager.Pkg, error) {
	data, err := w.Dir().Read(lockfile)
	if err != nil {
		if packager.Exists(w.Dir(), lockfile) {
			return nil, err
		}
		return nil, nil
	}
	return parseLock(data)
}

func parseLock(data []byte) ([]packager.Pkg, error) {
	var l lock
	if err := json.Unmarshal(data, &l); err != nil {
		return nil, fmt.Errorf("package-lock.json: %w", err)
	}
	var out []packager.Pkg
	if l.LockfileVersion >= 2 && l.Packages != nil {
		for key, p := range l.Packages {
			name, ok := strings.CutPrefix(key, "node_modules/")
			if !ok || strings.Contains(name, "/node_modules/") {
				continue // the root, a workspace member, or a nested copy
			}
			out = append(out, packager.Pkg{Name: name, Version: p.Version})
		}
	} else {
		for name, d := range l.Dependencies {
			out = append(out, packager.Pkg{Name: name, Version: d.Version})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
