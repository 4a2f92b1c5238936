//go:build linux

package reaper

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"syscall"
)

// Spec describes a process to start. Path is used as given: it is not
// looked up in $PATH (resolve it with exec.LookPath first), and a relative
// Path is resolved in Dir, because the child changes directory before exec.
type Spec struct {
	// Path is the program to execute.
	Path string
	// Args is the full argv, argv[0] included. Empty means {Path}.
	Args []string
	// Env is the environment as "KEY=value" strings. Nil inherits pid1's
	// environment; an empty non-nil slice gives an empty one.
	Env []string
	// Dir is the working directory; empty inherits pid1's.
	Dir string
	// Stdin, Stdout and Stderr become fds 0, 1 and 2; nil means /dev/null.
	// Like os/exec, Spawn puts every file it passes in blocking mode
	// (File.Fd), since O_NONBLOCK is shared with the child and most
	// programs do not expect it.
	Stdin, Stdout, Stderr *os.File
	// ExtraFiles become fds 3, 4, ... in the child; a nil entry leaves that
	// fd closed.
	ExtraFiles []*os.File
	// Setsid starts a new session (and process group) led by the child.
	// Without it the child still gets its own process group, so that
	// SignalGroup and Terminate reach it and its descendants, and never pid1.
	Setsid bool
	// Setctty makes Ctty the controlling terminal of the new session; it
	// requires Setsid.
	Setctty bool
	// Ctty is the child's fd number of the terminal (0 for Stdin, 3 for
	// ExtraFiles[0], ...), as in syscall.SysProcAttr.
	Ctty int
	// Pdeathsig is sent to the child when the thread that spawned it exits.
	// Go threads normally live as long as the process, so in practice this
	// is "when pid1 dies"; but a goroutine that exits while locked to its
	// thread (runtime.LockOSThread) takes the thread with it, so do not
	// Spawn with Pdeathsig from one. 0 disables it.
	Pdeathsig syscall.Signal

	// The fields below are passed to the kernel as they are (see
	// syscall.SysProcAttr); they serve the sandbox's helper.

	// Cloneflags are extra clone flags: new namespaces (CLONE_NEWUSER, ...).
	Cloneflags uintptr
	// UidMappings and GidMappings fill a new user namespace's maps;
	// GidMappingsEnableSetgroups leaves setgroups allowed in it.
	UidMappings, GidMappings   []syscall.SysProcIDMap
	GidMappingsEnableSetgroups bool
	// Credential, when set, is the child's uid and gids (set after the
	// user namespace maps, so uid 0 there is the mapped uid outside).
	Credential *syscall.Credential
	// UseCgroupFD starts the child in the cgroup open at CgroupFD
	// (CLONE_INTO_CGROUP, cgroup v2, Linux 5.7+).
	UseCgroupFD bool
	CgroupFD    int
}

// Spawn starts the process and registers it, so that its status reaches
// Process.Wait however soon it exits. See the package doc for the locking.
func (r *Reaper) Spawn(s Spec) (*Process, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	if s.Dir != "" {
		// The child's chdir fails with the same ENOENT as a missing
		// program; say which one it was.
		if _, err := os.Stat(s.Dir); err != nil {
			return nil, fmt.Errorf("reaper: spawn %s: %w", s.Path, err)
		}
	}
	argv := s.Args
	if len(argv) == 0 {
		argv = []string{s.Path}
	}
	env := s.Env
	if env == nil {
		env = os.Environ()
	}
	files, closeNull, err := s.fds()
	if err != nil {
		return nil, err
	}
	defer closeNull()
	attr := &syscall.ProcAttr{
		Dir:   s.Dir,
		Env:   env,
		Files: files,
		Sys: &syscall.SysProcAttr{
			Setsid:    s.Setsid,
			Setpgid:   !s.Setsid, // Pgid 0: the child's own pid
			Setctty:   s.Setctty,
			Ctty:      s.Ctty,
			Pdeathsig: s.Pdeathsig,

			Cloneflags:                 s.Cloneflags,
			UidMappings:                s.UidMappings,
			GidMappings:                s.GidMappings,
			GidMappingsEnableSetgroups: s.GidMappingsEnableSetgroups,
			Credential:                 s.Credential,
			UseCgroupFD:                s.UseCgroupFD,
			CgroupFD:                   s.CgroupFD,
		},
	}

	r.waitMu.RLock()
	defer r.waitMu.RUnlock()
	pid, err := syscall.ForkExec(s.Path, argv, attr)
	// The fds in attr.Files are only numbers; keep their Files (and their
	// finalizers) alive until the child has its copies.
	runtime.KeepAlive(&s)
	if err != nil {
		return nil, execError(s.Path, err)
	}
	p := &Process{Pid: pid, r: r, path: s.Path, done: make(chan struct{})}
	r.register(p)
	return p, nil
}

// check rejects specs that would fail in the child with a vague errno.
func (s *Spec) check() error {
	switch {
	case s.Path == "":
		return errors.New("reaper: spawn: empty Path")
	case s.Setctty && !s.Setsid:
		return fmt.Errorf("reaper: spawn %s: Setctty requires Setsid", s.Path)
	case s.Setctty && s.file(s.Ctty) == nil:
		return fmt.Errorf("reaper: spawn %s: Ctty %d is not one of the child's files", s.Path, s.Ctty)
	}
	return nil
}

// file returns the File that becomes fd i in the child, or nil.
func (s *Spec) file(i int) *os.File {
	switch {
	case i == 0:
		return s.Stdin
	case i == 1:
		return s.Stdout
	case i == 2:
		return s.Stderr
	case i >= 3 && i-3 < len(s.ExtraFiles):
		return s.ExtraFiles[i-3]
	}
	return nil
}

// fds lists the child's fds: stdio with /dev/null for nil (a closed fd 0-2
// would be reused by the next open in the child and confuse it), then
// ExtraFiles with -1 (left closed) for nil. closeNull releases /dev/null.
func (s *Spec) fds() (fds []uintptr, closeNull func(), err error) {
	closeNull = func() {}
	var null *os.File
	n := 3 + len(s.ExtraFiles)
	fds = make([]uintptr, n)
	for i := range n {
		f := s.file(i)
		switch {
		case f != nil:
			fds[i] = f.Fd()
		case i < 3:
			if null == nil {
				null, err = os.OpenFile(os.DevNull, os.O_RDWR, 0)
				if err != nil {
					return nil, closeNull, fmt.Errorf("reaper: spawn %s: %w", s.Path, err)
				}
				closeNull = func() { null.Close() }
			}
			fds[i] = null.Fd()
		default:
			fds[i] = ^uintptr(0) // ForkExec closes fd -1 in the child
		}
	}
	return fds, closeNull, nil
}

// execError explains the usual ENOENT cases, which exec reports alike.
func execError(path string, err error) error {
	pe := &os.PathError{Op: "fork/exec", Path: path, Err: err}
	if !errors.Is(err, syscall.ENOENT) {
		return fmt.Errorf("reaper: spawn: %w", pe)
	}
	var hint string
	if !strings.Contains(path, "/") {
		hint = "; Path is not looked up in $PATH, resolve it with exec.LookPath"
	} else if _, serr := os.Stat(path); serr == nil {
		hint = "; the file exists, so its #! interpreter or its dynamic loader is missing"
	}
	return fmt.Errorf("reaper: spawn: %w%s", pe, hint)
}
