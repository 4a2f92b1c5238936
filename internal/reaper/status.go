//go:build linux

package reaper

import (
	"strconv"
	"syscall"
)

// Status is how a process ended.
type Status struct {
	// Code is the exit code, or -1 if the process was killed by a signal.
	Code int
	// Signal is the signal that killed the process, or 0 if it exited.
	Signal syscall.Signal
	// CoreDump reports whether the kernel wrote a core file.
	CoreDump bool
	// Rusage is the resource usage of the process and of the descendants
	// it waited for, as wait4 reports it.
	Rusage syscall.Rusage
}

// statusFrom converts what wait4 returned. The loop asks only for exited
// and killed children (no WUNTRACED or WCONTINUED), so those are the only
// two cases.
func statusFrom(ws syscall.WaitStatus, ru *syscall.Rusage) Status {
	s := Status{Code: -1, Rusage: *ru}
	switch {
	case ws.Exited():
		s.Code = ws.ExitStatus()
	case ws.Signaled():
		s.Signal = ws.Signal()
		s.CoreDump = ws.CoreDump()
	}
	return s
}

// Signaled reports whether the process was killed by a signal.
func (s Status) Signaled() bool { return s.Signal != 0 }

// ExitCode is the code a shell or an init reports: the exit code, or
// 128+signal when the process was killed (so SIGTERM gives 143).
func (s Status) ExitCode() int {
	if s.Signaled() {
		return 128 + int(s.Signal)
	}
	return s.Code
}

// String reads like os.ProcessState's: "exit status 7", "signal: killed",
// "signal: segmentation fault (core dumped)".
func (s Status) String() string {
	var res string
	if s.Signaled() {
		res = "signal: " + s.Signal.String()
	} else {
		res = "exit status " + strconv.Itoa(s.Code)
	}
	if s.CoreDump {
		res += " (core dumped)"
	}
	return res
}
