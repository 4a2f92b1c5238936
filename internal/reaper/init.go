//go:build linux

package reaper

import (
	"os"

	"golang.org/x/sys/unix"
)

// IsPID1 reports whether this process is the init of its pid namespace,
// which the kernel makes the parent of every orphan in it.
func IsPID1() bool { return os.Getpid() == 1 }

// SetSubreaper marks this process as a child subreaper (Linux 3.4+):
// orphaned descendants are reparented to it instead of to PID 1, so a
// Reaper with ReapAll can collect them when pid1 does not run as PID 1.
func SetSubreaper() error {
	return os.NewSyscallError("prctl(PR_SET_CHILD_SUBREAPER)",
		unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0))
}
