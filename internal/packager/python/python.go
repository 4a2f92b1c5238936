package python

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pid1/pid1/internal/fsroot"
	"github.com/pid1/pid1/internal/jobs"
	"github.com/pid1/pid1/internal/packager"
)

// Backend is the Python backend.
type Backend struct {
	// Python is the interpreter that creates the virtual environment;
	// "" is Debian's /usr/bin/python3 where it exists, else python3 on
	// the workspace's PATH.
	Python string
}

var _ packager.Backend = Backend{}

const (
	pyproject    = "pyproject.toml"
	requirements = "requirements.txt"
)

func (Backend) Name() string { return "python" }
func (Backend) Languages() []string {
	return []string{"python3", "py", "python3-pip", "python-python3-pip"}
}

func (Backend) Detect(dir *fsroot.Dir) packager.Presence {
	switch {
	case packager.Exists(dir, requirements) || packager.Exists(dir, pyproject):
		return packager.Managed
	case packager.HasSources(dir, ".py"):
		return packager.Code
	}
	return packager.None
}

func (Backend) Files(w packager.Workspace) []string { return []string{specfile(w.Dir())} }

// specfile is where the workspace's requirements are: pyproject.toml if
// it has a [project] table, else requirements.txt (created by the first
// add if missing).
func specfile(dir *fsroot.Dir) string {
	if data, err := dir.Read(pyproject); err == nil && hasProjectTable(data) {
		return pyproject
	}
	return requirements
}

// venv is the workspace's virtual environment.
func venv(w packager.Workspace) string { return jobs.Venv(w.Environ(), w.Dir().Path()) }

func hasVenv(w packager.Workspace) bool {
	_, err := os.Stat(filepath.Join(venv(w), "bin", "python"))
	return err == nil
}

// systemPython is the interpreter outside the virtual environment.
func (b Backend) systemPython() string {
	if b.Python != "" {
		return b.Python
	}
	if _, err := os.Stat("/usr/bin/python3"); err == nil {
		return "/usr/bin/python3"
	}
	return "python3"
}

// python is the virtual environment's interpreter if it exists, else the
// system's.
func (b Backend) python(w packager.Workspace) string {
	if hasVenv(w) {
		return filepath.Join(venv(w), "bin", "python")
	}
	return b.systemPython()
}

// ensureVenv creates the virtual environment if it does not exist.
func (b Backend) ensureVenv(ctx context.Context, w packager.Workspace) error {
	if hasVenv(w) {
		return nil
	}
	return packager.Explain(w.Run(ctx, []string{b.systemPython(), "-m", "venv", venv(w)}), errorLine)
}

// pipEnv quiets what pip says that is not about the packages.
var pipEnv = []string{"PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_NO_INPUT=1", "PIP_PROGRESS_BAR=off"}

// pip runs the virtual environment's pip.
func (b Backend) pip(ctx context.Context, w packager.Workspace, args ...string) error {
	argv := append([]string{filepath.Join(venv(w), "bin", "python"), "-m", "pip"}, args...)
	return packager.Explain(w.Run(ctx, argv, pipEnv...), errorLine)
}

// errorLine keeps pip's (and venv's) error lines.
func errorLine(l string) bool {
	return strings.HasPrefix(l, "ERROR:") || strings.HasPrefix(l, "Error:") || strings.Contains(l, "Error: ")
}

func (b Backend) Add(ctx context.Context, w packager.Workspace, pkgs []packager.Pkg) error {
	var reqs []string
	for _, p := range pkgs {
		r, err := requirement(p)
		if err != nil {
			return err
		}
		reqs = append(reqs, r)
	}
	if err := b.ensureVenv(ctx, w); err != nil {
		return err
	}
	if err := b.pip(ctx, w, append([]string{"install"}, reqs...)...); err != nil {
		return err
	}
	return edit(w.Dir(), func(s spec) (spec, error) {
		for _, r := range reqs {
			s = s.with(r)
		}
		return s, nil
	})
}

func (b Backend) Remove(ctx context.Context, w packager.Workspace, names []string) error {
	s, err := readSpec(w.Dir())
	if err != nil {
		return err
	}
	for _, n := range names {
		if !s.has(n) {
			return fmt.Errorf("%s is not a requirement in %s", n, s.file)
		}
	}
	if hasVenv(w) {
		if err := b.pip(ctx, w, append([]string{"uninstall", "--yes"}, names...)...); err != nil {
			return err
		}
	}
	return edit(w.Dir(), func(s spec) (spec, error) {
		for _, n := range names {
			s = s.without(n)
		}
		return s, nil
	})
}

// Lock does nothing: pip has no lock file.
func (Backend) Lock(context.Context, packager.Workspace) error { return nil }

func (b Backend) Install(ctx context.Context, w packager.Workspace) error {
	s, err := readSpec(w.Dir())
	if err != nil {
		return err
	}
	reqs := s.requirements()
	if len(reqs) == 0 && s.file == pyproject {
		return nil
	}
	if !s.exists {
		return nil
	}
	if err := b.ensureVenv(ctx, w); err != nil {
		return err
	}
	if s.file == requirements {
		return b.pip(ctx, w, "install", "-r", requirements)
	}
	return b.pip(ctx, w, append([]string{"install"}, reqs...)...)
}

func (Backend) ListSpecfile(_ context.Context, w packager.Workspace) ([]packager.Pkg, error) {
	s, err := readSpec(w.Dir())
	if err != nil {
		return nil, err
	}
	var out []packager.Pkg
	for _, r := range s.requirements() {
		name, rest := splitRequirement(r)
		if name != "" {
			out = append(out, packager.Pkg{Name: name, Spec: rest})
		}
	}
	return out, nil
}

func (b Backend) ListLockfile(ctx context.Context, w packager.Workspace) ([]packager.Pkg, error) {
	if !hasVenv(w) {
		return nil, nil
	}
	out, err := w.Output(ctx, []string{filepath.Join(venv(w), "bin", "python"), "-m", "pip", "list", "--format=json"}, pipEnv...)
	if err != nil {
		return nil, packager.Explain(err, errorLine)
	}
	return parsePipList(out)
}
