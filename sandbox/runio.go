//go:build linux

package sandbox

import (
	"os"
	"runtime"

	"golang.org/x/sys/unix"
)

// numCPU is how many CPUs the run's processes can use at once,
// which bounds how fast they can spend CPU time.
func numCPU() int { return runtime.NumCPU() }

// runIO are the pipes and the control socket of one run. The child ends
// go to the helper and are closed here once it has started.
type runIO struct {
	stdinR, stdinW   *os.File
	stdoutR, stdoutW *os.File
	stderrR, stderrW *os.File
	ctl, ctlChild    *os.File
}

func newRunIO() (*runIO, error) {
	io := &runIO{}
	var err error
	if io.stdinR, io.stdinW, err = os.Pipe(); err != nil {
		return nil, err
	}
	if io.stdoutR, io.stdoutW, err = os.Pipe(); err == nil {
		io.stderrR, io.stderrW, err = os.Pipe()
	}
	if err == nil {
		var fds [2]int
		if fds, err = unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0); err == nil {
			io.ctl = os.NewFile(uintptr(fds[0]), "sandbox-control")
			io.ctlChild = os.NewFile(uintptr(fds[1]), "sandbox-control-child")
		}
	}
	if err != nil {
		io.closeChild()
		io.closeParent()
		return nil, err
	}
	return io, nil
}

func closeAll(fs ...**os.File) {
	for _, f := range fs {
		if *f != nil {
			(*f).Close()
			*f = nil
		}
	}
}

func (io *runIO) closeChild() { closeAll(&io.stdinR, &io.stdoutW, &io.stderrW, &io.ctlChild) }

func (io *runIO) closeParent() { closeAll(&io.stdinW, &io.stdoutR, &io.stderrR, &io.ctl) }

// chown gives the pipes the program's standard streams are made of to
// uid and gid (a pipe's two ends share one inode).
func (io *runIO) chown(uid, gid int) error {
	for _, f := range []*os.File{io.stdinR, io.stdoutW, io.stderrW} {
		if err := f.Chown(uid, gid); err != nil {
			return err
		}
	}
	return nil
}
