//go:build linux

package sandbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pid1/pid1/internal/reaper"
	"github.com/pid1/pid1/sandbox/nsinit"
	"golang.org/x/sys/unix"
)

// killGrace is how long the helper gets to kill and report after being
// asked, before it is SIGKILLed itself (which still kills the run: it is
// the pid namespace's init).
const killGrace = 2 * time.Second

// setupLimit bounds the helper's work before the program starts (mounts,
// seccomp, exec). The wall-clock limit counts from the program's start,
// so a run's time is its own, however long a loaded machine takes to set
// it up.
const setupLimit = 30 * time.Second

// cloneFlags are the run's namespaces.
const cloneFlags = unix.CLONE_NEWUSER | unix.CLONE_NEWNS | unix.CLONE_NEWPID | unix.CLONE_NEWNET |
	unix.CLONE_NEWIPC | unix.CLONE_NEWUTS | unix.CLONE_NEWCGROUP

// killReason is why the sandbox ended a run early.
type killReason int

const (
	notKilled killReason = iota
	killTime
	killCPU
	killOutput
	killCaller // ctx or Close
	killSetup  // the program did not start within setupLimit
)

// execute runs one checked request in a slot.
func (s *Sandbox) execute(ctx context.Context, slot int, spec *Spec, l Limits, req *nsinit.Request) (Result, error) {
	s.metrics.running.Inc()
	defer s.metrics.running.Dec()

	var cg runCgroup
	if s.cg != nil {
		var err error
		if cg, err = s.slotCgroup(slot, l); err != nil {
			return Result{}, fmt.Errorf("%w: %w", ErrStart, err)
		}
		defer func() {
			if cg.keepable() {
				s.cgs.keep(slot, cg)
				return
			}
			if err := dropCgroup(cg); err != nil {
				s.log.Warn("sandbox: cgroup left behind", "err", err)
			}
		}()
	}

	rio, err := newRunIO()
	if err != nil {
		return Result{}, fmt.Errorf("%w: %w", ErrStart, err)
	}
	defer rio.closeParent()

	uid, gid := os.Getuid(), os.Getgid()
	if s.ownUID {
		uid, gid = s.cfg.UIDBase+slot, s.cfg.GIDBase+slot
		// The program may reopen its standard streams by name
		// (/dev/stdout is /proc/self/fd/1), which checks the pipe's
		// owner: make it the run's root.
		if err := rio.chown(uid, gid); err != nil {
			return Result{}, fmt.Errorf("%w: %w", ErrStart, err)
		}
	}
	// fd 3: control socket; fd 4: the v1 tasks file or closed; fd 5: the
	// helper binary, executed through /proc/self/fd/5; fd 6: a kept
	// network namespace, or none.
	rs := reaper.Spec{
		Path:       "/proc/self/fd/5",
		Args:       []string{"pid1-sandbox-helper"},
		Env:        helperEnv,
		Stdin:      rio.stdinR,
		Stdout:     rio.stdoutW,
		Stderr:     rio.stderrW,
		ExtraFiles: []*os.File{rio.ctlChild, nil, s.helper},
		Pdeathsig:  syscall.SIGKILL,
	}
	// net is the run's network namespace when it is kept from the slot's
	// last run, or (native path) the new one, opened once the helper is in
	// it; either is kept for the next run if this one leaves it untouched.
	var net *os.File
	native := s.ownUID && s.native.Load()
	if native {
		// The C helper, as real root in the other namespaces, makes the
		// program's user namespace itself: without CLONE_NEWUSER Go
		// starts it with vfork instead of copying pid1's memory.
		rs.Cloneflags = cloneFlags &^ unix.CLONE_NEWUSER
		req.UserNS, req.NSUID, req.NSGID = true, uint32(uid), uint32(gid)
		if net, _ = s.nets.take(slot); net != nil {
			rs.Cloneflags &^= unix.CLONE_NEWNET
			rs.ExtraFiles = append(rs.ExtraFiles, net)
			req.JoinNet = true
		}
	} else {
		rs.Cloneflags = cloneFlags
		rs.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: uid, Size: 1}}
		rs.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: gid, Size: 1}}
		rs.Credential = &syscall.Credential{Uid: 0, Gid: 0, NoSetGroups: true}
	}
	if cg != nil && cg.intoFD() >= 0 {
		rs.UseCgroupFD, rs.CgroupFD = true, cg.intoFD()
	}
	if cg != nil && cg.tasksFile() != nil {
		rs.ExtraFiles[1] = cg.tasksFile()
		req.TasksFD = true
	}
	started := time.Now()
	p, err := s.cfg.Reaper.Spawn(rs)
	rio.closeChild()
	if err != nil {
		if net != nil {
			net.Close()
		}
		return Result{}, fmt.Errorf("%w: helper: %w", ErrStart, err)
	}
	if native && net == nil {
		// The helper waits for its request: it is alive, in the new
		// namespace. Without the file the namespace is not kept.
		net, _ = openNetNS(p.Pid)
	}
	var got reportOrErr
	defer func() {
		if net == nil {
			return
		}
		if got.err == nil && got.rep != nil && got.rep.Err == "" && got.rep.NetUntouched {
			s.nets.keep(slot, net)
		} else {
			net.Close()
		}
	}()
	// From here on the helper must be waited for whatever happens.
	if cg != nil {
		if err := cg.add(p.Pid); err != nil {
			_ = p.Signal(syscall.SIGKILL)
			_, _ = p.Wait(context.Background())
			return Result{}, fmt.Errorf("%w: %w", ErrStart, err)
		}
	}
	if spec.Started != nil {
		spec.Started()
	}
	reports := make(chan reportOrErr, 1)
	programStarted := make(chan struct{})
	go func() {
		if err := nsinit.WriteMessage(rio.ctl, req.Marshal()); err != nil {
			reports <- reportOrErr{err: fmt.Errorf("send request: %w", err)}
			return
		}
		msg, err := nsinit.ReadMessage(rio.ctl)
		if err == nil && nsinit.IsStarted(msg) {
			close(programStarted)
			msg, err = nsinit.ReadMessage(rio.ctl)
		}
		if err != nil {
			reports <- reportOrErr{err: err}
			return
		}
		rep, err := nsinit.UnmarshalReport(msg)
		reports <- reportOrErr{rep: rep, err: err}
	}()

	over := make(chan struct{}, 2)
	outOver := func() {
		select {
		case over <- struct{}{}:
		default:
		}
	}
	stdout := &pump{r: rio.stdoutR, w: spec.Stdout, limit: l.Output, over: outOver}
	stderr := &pump{r: rio.stderrR, w: spec.Stderr, limit: l.Output, over: outOver}
	pumps := make(chan struct{}, 2)
	go func() { stdout.run(); pumps <- struct{}{} }()
	go func() { stderr.run(); pumps <- struct{}{} }()
	go feed(rio.stdinW, spec.Stdin)
	rio.stdinW, rio.stdoutR, rio.stderrR = nil, nil, nil // owned by the goroutines now

	// Until the program starts, the timer bounds the setup; then it is
	// the wall-clock limit.
	wall := time.NewTimer(setupLimit)
	defer wall.Stop()
	running := programStarted
	cpuCheck := time.NewTimer(l.CPU / time.Duration(numCPU()))
	if cg == nil {
		cpuCheck.Stop()
	}
	defer cpuCheck.Stop()
	var backstop <-chan time.Time
	reason := notKilled
	kill := func(r killReason) {
		if reason != notKilled {
			return
		}
		reason = r
		_, _ = rio.ctl.Write([]byte{'K'})
		backstop = time.After(killGrace)
	}

	haveReport := false
	for !haveReport || !isDone(p.Done()) {
		select {
		case got = <-reports:
			haveReport = true
			if reason == notKilled {
				// The helper exits right after reporting; do not wait
				// forever if it does not.
				backstop = time.After(killGrace)
			}
		case <-p.Done():
			if !haveReport {
				got = <-reports // the socket is closed: EOF at worst
				haveReport = true
			}
		case <-running:
			running = nil
			wall.Reset(l.Wall)
		case <-wall.C:
			if running != nil {
				kill(killSetup)
			} else {
				kill(killTime)
			}
		case <-ctx.Done():
			kill(killCaller)
		case <-s.done:
			kill(killCaller)
		case <-over:
			if l.KillOnOutputLimit {
				kill(killOutput)
			}
		case <-cpuCheck.C:
			used, err := cg.cpu()
			switch {
			case err != nil:
			case used >= l.CPU:
				kill(killCPU)
			default:
				cpuCheck.Reset(max((l.CPU-used)/time.Duration(numCPU()), 10*time.Millisecond))
			}
		case <-backstop:
			_ = p.Signal(syscall.SIGKILL)
			if cg != nil {
				cg.kill()
			}
			backstop = nil
		}
	}
	st, _ := p.Wait(context.Background())
	elapsed := time.Since(started)
	// Every process of the run is gone (the namespace died with its
	// init), so the pipes are at EOF.
	<-pumps
	<-pumps

	var cst cgroupStats
	if cg != nil {
		cst = cg.stats()
	}
	res := Result{StdoutTruncated: stdout.truncated, StderrTruncated: stderr.truncated}
	if got.err == nil && got.rep.Err != "" {
		return Result{}, fmt.Errorf("%w: %s", ErrStart, got.rep.Err)
	}
	if reason == killSetup {
		return Result{}, fmt.Errorf("%w: the program did not start within %v", ErrStart, setupLimit)
	}
	if got.err == nil {
		if got.rep.Native {
			s.native.Store(true)
		}
		fillFromReport(&res, got.rep)
	} else {
		// No report: the helper was killed (backstop) or failed.
		if reason == notKilled && !st.Signaled() {
			return Result{}, fmt.Errorf("%w: helper ended with %v without a report: %w", ErrStart, st, got.err)
		}
		res.Status, res.Value = Killed, int(syscall.SIGKILL)
		if reason == notKilled {
			res.Value = int(st.Signal)
		}
		res.Real = elapsed
		ru := st.Rusage
		res.User, res.Kernel = time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())
		res.MaxMemKiB = ru.Maxrss
		res.Waits, res.Preemptions = ru.Nvcsw, ru.Nivcsw
		res.MinorPageFaults, res.MajorPageFaults = ru.Minflt, ru.Majflt
		res.InputOps, res.OutputOps = ru.Inblock, ru.Oublock
	}
	if cst.peakBytes > 0 {
		res.MaxMemKiB = cst.peakBytes / 1024
	}
	res.TimedOut = reason == killTime
	res.Limit = limitName(reason, cst, res)
	s.metrics.ended(res)
	s.log.Debug("sandbox: run ended", "argv0", spec.Argv[0], "status", res.Status.String(), "value", res.Value,
		"limit", res.Limit, "real", res.Real, "slot", slot)
	return res, nil
}

// slotCgroup is the cgroup the slot kept from its last run, ready again,
// or a new one.
func (s *Sandbox) slotCgroup(slot int, l Limits) (runCgroup, error) {
	if cg, ok := s.cgs.take(slot); ok {
		err := cg.reuse(l)
		if err == nil {
			return cg, nil
		}
		s.log.Warn("sandbox: a kept cgroup could not serve again", "err", err)
		_ = dropCgroup(cg)
	}
	return s.newCgroup(slot, l)
}

// dropCgroup kills what is left in a cgroup and removes it.
func dropCgroup(cg runCgroup) error {
	cg.kill()
	return cg.remove()
}

// runSeq numbers runs across every Sandbox of this process; with the pid
// it makes cgroup names unique among the processes sharing a parent.
var runSeq atomic.Uint64

// newCgroup creates the run's cgroup under a fresh name ("run-<pid>-<n>",
// skipping names a crashed process may have left behind).
func (s *Sandbox) newCgroup(slot int, l Limits) (runCgroup, error) {
	var err error
	for range 10 {
		name := "run-" + strconv.Itoa(os.Getpid()) + "-" + strconv.FormatUint(runSeq.Add(1), 10) + "-" + strconv.Itoa(slot)
		var cg runCgroup
		if cg, err = s.cg.create(name, l); err == nil || !errors.Is(err, os.ErrExist) {
			return cg, err
		}
	}
	return nil, err
}

type reportOrErr struct {
	rep *nsinit.Report
	err error
}

func isDone(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// fillFromReport converts the helper's report.
func fillFromReport(res *Result, rep *nsinit.Report) {
	ws := syscall.WaitStatus(rep.WaitStatus)
	switch {
	case ws.Exited():
		res.Status, res.Value = Exited, ws.ExitStatus()
	case ws.Signaled() && ws.CoreDump():
		res.Status, res.Value = CoreDumped, int(ws.Signal())
	case ws.Signaled():
		res.Status, res.Value = Killed, int(ws.Signal())
	default:
		res.Status, res.Value = Unknown, -1
	}
	res.Real = time.Duration(rep.Real)
	res.User, res.Kernel = time.Duration(rep.UserNs), time.Duration(rep.SysNs)
	res.MaxMemKiB = rep.MaxRSSKiB
	res.Waits, res.Preemptions = rep.Nvcsw, rep.Nivcsw
	res.MinorPageFaults, res.MajorPageFaults = rep.MinFlt, rep.MajFlt
	res.InputOps, res.OutputOps = rep.Inblock, rep.Oublock
	for _, f := range rep.Files {
		res.Files = append(res.Files, File{Path: f.Path, Mode: f.Mode, Data: f.Data})
	}
}

// limitName says which limit the run ran into: the kernel-enforced ones
// first (they are the cause when a timeout follows a fork bomb), then the
// ones the sandbox enforced.
func limitName(reason killReason, cst cgroupStats, res Result) string {
	switch {
	case cst.oomKills > 0:
		return LimitMemory
	case cst.pidsMax > 0:
		return LimitPids
	case reason == killCPU || (res.Status == Killed || res.Status == CoreDumped) && res.Value == int(syscall.SIGXCPU):
		return LimitCPU
	case reason == killOutput:
		return LimitOutput
	case reason == killTime:
		return LimitTime
	}
	return ""
}
