//go:build linux

package nsinit

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// ctlFD is the socket to the sandbox; tasksFD the optional cgroup file.
const (
	ctlFD   = 3
	tasksFD = 4
	exeFD   = 5 // the helper's own binary, kept from the program
)

func init() {
	if _, ok := syscall.Getenv(EnvMarker); !ok {
		return
	}
	os.Exit(helperMain())
}

// helperMain runs one request and returns the helper's exit code: 0 when a
// Report went out, 1 when not even that worked.
func helperMain() int {
	syscall.CloseOnExec(ctlFD)
	syscall.CloseOnExec(tasksFD)
	syscall.CloseOnExec(exeFD)
	ctl := os.NewFile(ctlFD, "sandbox-control")
	msg, err := ReadMessage(ctl)
	if err != nil {
		return 1
	}
	rep := run(msg, ctl)
	if WriteMessage(ctl, rep.Marshal()) != nil {
		return 1
	}
	return 0
}

// run sets up, starts the program, reaps the namespace and collects.
func run(msg []byte, ctl *os.File) *Report {
	req, err := UnmarshalRequest(msg)
	if err != nil {
		return &Report{Err: err.Error()}
	}
	if req.UserNS {
		return &Report{Err: "nsinit: this helper cannot make the program's user namespace (only the C helper can)"}
	}
	if req.JoinNet {
		return &Report{Err: "nsinit: this helper cannot join a kept network namespace (only the C helper can)"}
	}
	// The program runs as the same uid: keep it from reading our memory
	// through /proc, and from ending us with a signal. The kernel drops a
	// signal to a pid namespace's init from inside it only when init has
	// no handler, and Go's runtime has one for most (SIGTERM would make
	// it exit 2): take every signal and drop it. (Handled, not ignored:
	// the program starts with every disposition at its default.)
	signal.Notify(make(chan os.Signal, 1))
	_ = unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
	if err := setup(req); err != nil {
		return &Report{Err: err.Error()}
	}
	for _, l := range req.Rlimits {
		if err := unix.Setrlimit(l.Resource, &unix.Rlimit{Cur: l.Cur, Max: l.Max}); err != nil {
			return &Report{Err: fmt.Sprintf("setrlimit %d: %v", l.Resource, err)}
		}
	}
	path, err := lookPath(req.Argv[0], req.Env)
	if err != nil {
		return &Report{Err: err.Error()}
	}

	// A kill request (or the sandbox going away) may come at any time from
	// now on.
	killed := make(chan struct{})
	go func() {
		var b [1]byte
		_, _ = ctl.Read(b[:])
		close(killed)
		_ = syscall.Kill(-1, syscall.SIGKILL)
	}()

	start := time.Now()
	pid, err := startProgram(req, path)
	if err != nil {
		return &Report{Err: err.Error()}
	}
	_ = WriteStarted(ctl) // the wall-clock limit counts from here
	rep := &Report{}
	select {
	case <-killed:
		// The kill came before the program existed.
		_ = syscall.Kill(-1, syscall.SIGKILL)
	default:
	}
	ws, end := reapAll(pid)
	rep.WaitStatus = uint32(ws)
	rep.Real = end.Sub(start).Nanoseconds()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru); err == nil {
		rep.UserNs = ru.Utime.Nano()
		rep.SysNs = ru.Stime.Nano()
		rep.MaxRSSKiB = ru.Maxrss
		rep.MinFlt = ru.Minflt
		rep.MajFlt = ru.Majflt
		rep.Inblock = ru.Inblock
		rep.Oublock = ru.Oublock
		rep.Nvcsw = ru.Nvcsw
		rep.Nivcsw = ru.Nivcsw
	}
	rep.Files = collect(req.Collect, req.CollectMax)
	return rep
}

// reapAll waits for the program, then kills and reaps every other process
// of the namespace (all of them end up our children: we are its init).
// It returns the program's status and when it ended.
func reapAll(prog int) (syscall.WaitStatus, time.Time) {
	var progWS syscall.WaitStatus
	end := time.Now()
	progDone := false
	for {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, syscall.WALL, nil)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil { // ECHILD: the namespace is empty but for us
			return progWS, end
		}
		if pid == prog {
			progWS, end, progDone = ws, time.Now(), true
		}
		if progDone {
			// Again after every reap: a process may have been forking.
			_ = syscall.Kill(-1, syscall.SIGKILL)
		}
	}
}

// startProgram starts the program from a thread that gives up every
// privilege first; the thread is never used again (the goroutine ends
// locked, so the runtime destroys it).
func startProgram(req *Request, path string) (int, error) {
	type result struct {
		pid int
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		if req.TasksFD {
			// Move this thread (so the program) into the program's cgroup.
			if _, err := syscall.Write(tasksFD, []byte("0")); err != nil {
				ch <- result{err: fmt.Errorf("enter the program's cgroup: %w", err)}
				return
			}
		}
		if err := dropPrivileges(req.Seccomp); err != nil {
			ch <- result{err: err}
			return
		}
		pid, err := syscall.ForkExec(path, req.Argv, &syscall.ProcAttr{
			Dir:   req.Dir,
			Env:   req.Env,
			Files: []uintptr{0, 1, 2},
		})
		if err != nil {
			err = fmt.Errorf("start %s: %w", req.Argv[0], err)
		}
		for _, l := range req.ChildRlimits {
			if err == nil {
				err = unix.Prlimit(pid, l.Resource, &unix.Rlimit{Cur: l.Cur, Max: l.Max}, nil)
			}
		}
		ch <- result{pid, err}
	}()
	r := <-ch
	return r.pid, r.err
}

// lookPath resolves a command name in the PATH of env, inside the root.
func lookPath(name string, env []string) (string, error) {
	if name == "" {
		return "", errors.New("empty command")
	}
	for i := 0; i < len(name); i++ {
		if name[i] == '/' {
			return name, nil
		}
	}
	path := ""
	for _, kv := range env {
		if len(kv) > 5 && kv[:5] == "PATH=" {
			path = kv[5:]
		}
	}
	start := 0
	for i := 0; i <= len(path); i++ {
		if i < len(path) && path[i] != ':' {
			continue
		}
		dir := path[start:i]
		start = i + 1
		if dir == "" {
			dir = "."
		}
		p := dir + "/" + name
		var st unix.Stat_t
		if unix.Stat(p, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFREG && st.Mode&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("start %s: executable file not found in PATH", name)
}
