package termed

import (
	"errors"
	"fmt"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/pid1/pid1/internal/jobs"
	"github.com/pid1/pid1/internal/reaper"
)

// Spec makes spec a terminal program's on t, as such a program expects:
// the pty as stdin, stdout, stderr and controlling terminal of a new
// session, TERM and the size in the environment, and a sane line
// discipline (a program killed before it could restore the terminal, such
// as a shell in raw mode, leaves echo and line editing off). It dies with
// pid1. An empty spec.Path is found from spec.Args[0]: on the PATH of
// spec.Env (pid1's own when spec.Env is nil), or relative to spec.Dir when
// it holds a "/" ("./start").
func Spec(t Terminal, spec reaper.Spec) (reaper.Spec, error) {
	if spec.Path == "" {
		if len(spec.Args) == 0 {
			return spec, errors.New("termed: nothing to run")
		}
		p, err := resolve(spec.Args[0], spec.Dir, spec.Env)
		if err != nil {
			return spec, err
		}
		spec.Path = p
	}
	if err := t.Sane(); err != nil {
		return spec, err
	}
	rows, cols := t.Size()
	spec.Env = append(spec.Env[:len(spec.Env):len(spec.Env)], "TERM=xterm-256color", "COLORTERM=truecolor",
		fmt.Sprintf("LINES=%d", rows), fmt.Sprintf("COLUMNS=%d", cols))
	tty := t.TTY()
	spec.Stdin, spec.Stdout, spec.Stderr = tty, tty, tty
	spec.Setsid, spec.Setctty, spec.Ctty = true, true, 0
	spec.Pdeathsig = syscall.SIGKILL
	return spec, nil
}

// Resolve finds the program name: on pid1's PATH, or relative to dir
// when it holds a "/".
func Resolve(name, dir string) (string, error) { return resolve(name, dir, nil) }

// resolve is Resolve with the PATH of env, when env is not nil: the
// program's own (the workspace's virtual environment comes first on it).
func resolve(name, dir string, env []string) (string, error) {
	if !strings.Contains(name, "/") {
		if env != nil {
			return jobs.LookPath(name, dir, env)
		}
		return osexec.LookPath(name)
	}
	if filepath.IsAbs(name) {
		return name, nil
	}
	return filepath.Join(dir, name), nil
}
