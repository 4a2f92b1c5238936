package termed

import (
	"fmt"
	"syscall"

	"github.com/pid1/pid1/reaper"
	"github.com/pid1/pid1/services"
)

// Spawn starts spec's program on the terminal t, as a terminal program
// expects: the pty as stdin, stdout, stderr and controlling terminal of a
// new session, TERM and the size in the environment, and a sane line
// discipline (a program killed before it could restore the terminal, such
// as a shell in raw mode, leaves echo and line editing off). pid1's reaper
// owns it; it dies with pid1.
func Spawn(rp *reaper.Reaper, t Terminal, spec reaper.Spec) (*reaper.Process, error) {
	if err := t.Sane(); err != nil {
		return nil, err
	}
	env := services.UserEnv(spec.Env)
	rows, cols := t.Size()
	spec.Env = append(env[:len(env):len(env)], "TERM=xterm-256color", "COLORTERM=truecolor",
		fmt.Sprintf("LINES=%d", rows), fmt.Sprintf("COLUMNS=%d", cols))
	tty := t.TTY()
	spec.Stdin, spec.Stdout, spec.Stderr = tty, tty, tty
	spec.Setsid, spec.Setctty, spec.Ctty = true, true, 0
	spec.Pdeathsig = syscall.SIGKILL
	return rp.Spawn(spec)
}
