package jobs

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"syscall"

	"github.com/pid1/pid1/internal/fsroot"
	"github.com/pid1/pid1/internal/language"
	"github.com/pid1/pid1/internal/reaper"
)

// Deps is what a service that starts processes is built with.
type Deps struct {
	Reaper    *reaper.Reaper // starts every process and owns its status
	Workspace *fsroot.Dir    // the processes' working directory
	// User, if set, is who the processes run as (pid1 is root and its
	// users' programs are not). Nil runs them as pid1's own user.
	User *User
	// Env is the environment processes start from ("KEY=value"); nil
	// means the user environment that BaseEnv describes.
	Env []string
	// Vars are set in every process's environment over the base: the
	// workspace's own variables (REPL_HOME, REPL_SLUG, REPL_ID).
	Vars []string
	// Language is the workspace's language when neither a .replit nor its
	// files say (pid1 -language, conman-repl LANGUAGE=).
	Language string
}

// Check reports Deps that cannot run anything, naming the service.
func (d Deps) Check(service string) error {
	if d.Reaper == nil || d.Workspace == nil {
		return fmt.Errorf("%s: no reaper or workspace configured", service)
	}
	return nil
}

// Dir is the workspace's path, the processes' working directory.
func (d Deps) Dir() string { return d.Workspace.Path() }

// Spec is how argv starts: in the workspace, as the workspace's user,
// with the user's environment and extra ("KEY=value") laid over it. Path
// "" lets the caller resolve argv[0].
func (d Deps) Spec(path string, argv []string, extra ...string) reaper.Spec {
	s := reaper.Spec{Path: path, Args: argv, Env: d.Environ(extra...), Dir: d.Dir()}
	if u := d.User; u != nil {
		s.Credential = &syscall.Credential{Uid: u.UID, Gid: u.GID, Groups: u.Groups}
	}
	return s
}

// Environ is the environment a process starts with: the base (Env, or
// BaseEnv), the workspace's variables (Vars, then the .replit's [env]
// table), the workspace's own programs first on PATH (see withTools), and
// extra laid over it, later ones winning.
func (d Deps) Environ(extra ...string) []string {
	base := d.Env
	if base == nil {
		base = BaseEnv(d.User, os.Environ())
	}
	layers := [][]string{base, d.Vars}
	if d.Workspace != nil {
		if env, err := language.Env(d.Workspace); err == nil {
			layers = append(layers, env)
		}
		return overlay(withTools(overlay(layers...), d.Dir()), extra)
	}
	return overlay(append(layers, extra)...)
}

// PlainEnviron is Environ without the workspace's own variables and its
// .replit's [env]: the base and extra only (exec's noUserEnv).
func (d Deps) PlainEnviron(extra ...string) []string {
	base := d.Env
	if base == nil {
		base = BaseEnv(d.User, os.Environ())
	}
	return overlay(base, extra)
}

// overlay lays each list of "KEY=value" over the ones before it.
func overlay(layers ...[]string) []string {
	var out []string
	at := map[string]int{}
	for _, l := range layers {
		for _, kv := range l {
			k, _, _ := strings.Cut(kv, "=")
			if i, ok := at[k]; ok {
				out[i] = kv
				continue
			}
			at[k] = len(out)
			out = append(out, kv)
		}
	}
	return out
}

// passed are the variables of pid1's own environment that its users'
// programs get: how to find programs, and locale and time zone. Nothing
// else of pid1's reaches them: not its PID1_* settings, not cloud
// credentials (AWS_*, GOOGLE_*), not what started it (MAKEFLAGS).
var passed = []string{"PATH", "LANG", "LANGUAGE", "TZ", "TMPDIR"}

// defaultPath is PATH when pid1 has none.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// BaseEnv is the environment a user's program starts from, taken from
// pid1's (environ): PATH, LANG, LANGUAGE, LC_*, TZ and TMPDIR, and who the
// user is (HOME, USER, LOGNAME, SHELL): from u, or from pid1's own
// environment when u is nil (pid1 runs them as itself).
func BaseEnv(u *User, environ []string) []string {
	var out []string
	who := map[string]bool{"HOME": true, "USER": true, "LOGNAME": true, "SHELL": true}
	hasPath := false
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case slices.Contains(passed, k), strings.HasPrefix(k, "LC_"):
			out = append(out, kv)
			hasPath = hasPath || k == "PATH"
		case who[k] && u == nil:
			out = append(out, kv)
		}
	}
	if !hasPath {
		out = append(out, "PATH="+defaultPath)
	}
	if u != nil {
		out = append(out, "HOME="+u.Home, "USER="+u.Name, "LOGNAME="+u.Name, "SHELL="+u.Shell)
	}
	return out
}
