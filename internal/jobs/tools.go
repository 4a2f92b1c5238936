package jobs

import (
	"os"
	"path/filepath"
)

// DefaultVenv is the workspace's Python virtual environment, relative to
// the workspace, when VIRTUAL_ENV does not name another (the packager
// creates it on first use).
const DefaultVenv = ".venv"

// Venv is the workspace's Python virtual environment: VIRTUAL_ENV in env
// if it is set (a .replit [env] may point elsewhere; relative to the
// workspace if relative), else DefaultVenv in the workspace.
func Venv(env []string, workspace string) string {
	v := Getenv(env, "VIRTUAL_ENV")
	switch {
	case v == "":
		return filepath.Join(workspace, DefaultVenv)
	case !filepath.IsAbs(v):
		return filepath.Join(workspace, v)
	}
	return v
}

// withTools puts the workspace's own programs first on env's PATH, so
// that what the packager installed is what runs: the virtual
// environment's bin (its python3 is the one that sees the installed
// packages) and node_modules/.bin. VIRTUAL_ENV is set once the virtual
// environment exists, as its activate script would.
func withTools(env []string, workspace string) []string {
	venv := Venv(env, workspace)
	path := filepath.Join(venv, "bin") + string(filepath.ListSeparator) + filepath.Join(workspace, "node_modules", ".bin")
	if p := Getenv(env, "PATH"); p != "" {
		path += string(filepath.ListSeparator) + p
	}
	extra := []string{"PATH=" + path}
	if _, err := os.Stat(filepath.Join(venv, "pyvenv.cfg")); err == nil && Getenv(env, "VIRTUAL_ENV") == "" {
		extra = append(extra, "VIRTUAL_ENV="+venv)
	}
	return overlay(env, extra)
}
