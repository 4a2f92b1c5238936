//go:build linux

package sandbox

import (
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/pid1/pid1/internal/reaper"
)

// Errors Run returns before a run starts. Anything that goes wrong once the
// program runs is reported in the Result instead (a crash, a limit).
var (
	// ErrQueueFull: MaxRuns runs are running and MaxQueue more are waiting.
	ErrQueueFull = errors.New("sandbox: too many runs waiting (queue full)")
	// ErrClosed: the sandbox has been closed (pid1 is shutting down).
	ErrClosed = errors.New("sandbox: closed")
	// ErrBadSpec wraps every complaint about a Spec (empty Argv, a NUL byte,
	// a file path that leaves the work directory, ...).
	ErrBadSpec = errors.New("sandbox: bad spec")
	// ErrStart wraps a failure to set a run up or to start its program
	// (no such file, not executable, ...).
	ErrStart = errors.New("sandbox: could not start")
)

// Config configures a Sandbox. Only Reaper is required.
type Config struct {
	// Reaper starts every helper: pid1 may be PID 1 and reap everything, so
	// nothing here waits for a child by itself.
	Reaper *reaper.Reaper
	// Dir is an existing host directory where New makes the empty
	// directory "pid1-sandbox-root" on which each run's root file system
	// is mounted, inside the run's own mount namespace only (the host
	// never sees the mount). Empty means os.TempDir().
	Dir string
	// Limits are the defaults for every field a Spec's Limits leaves zero;
	// its own zero fields take DefaultLimits.
	Limits Limits
	// MaxRuns is how many runs may execute at once (default: the number of
	// CPUs). More wait in a FIFO queue.
	MaxRuns int
	// MaxQueue is how many runs may wait; one more makes Run fail at once
	// with ErrQueueFull. Zero means 4*MaxRuns; negative means no queue.
	MaxQueue int
	// Log gets the mode at start (a warning in rlimits mode) and one debug
	// record per run. Nil discards.
	Log *slog.Logger

	// HelperPath is the binary executed as the in-namespace helper: the C
	// helper (cmd/pid1-sandbox-helper) or any binary linking package
	// nsinit (pid1 and every test binary of a package that imports this
	// one do), from the same version. Empty means DefaultHelperPath().
	HelperPath string
	// UIDBase and GIDBase are the first of MaxRuns unprivileged host ids:
	// root inside run slot i is UIDBase+i outside, so concurrent runs never
	// share a uid. Default 100000. When pid1 is not root, the ids are
	// pid1's own (an unprivileged user namespace can map nothing else).
	UIDBase, GIDBase int
	// Cgroup forces a mode ("cgroup2", "cgroup1" or "rlimits"); empty
	// detects it. Forcing a cgroup mode that is not available is an error.
	Cgroup string
	// CgroupParent is the cgroup (a path relative to the hierarchy root)
	// under which per-run cgroups are created. Empty means pid1's own
	// cgroup plus "/pid1-sandbox".
	CgroupParent string
	// Hostname is the run's host name (default "sandbox").
	Hostname string
	// Etc lists extra entries of the host's /etc exposed read-only, on top
	// of the built-in allow list (toolchain configuration, ld.so, ssl
	// certificates; never shadow, ssh or sudoers).
	Etc []string
}

// Limits bound one run. A zero field means "the default" (Config.Limits,
// then DefaultLimits); there is no "unlimited".
type Limits struct {
	// Wall is the wall-clock time from the program's start (its exec, not
	// the sandbox's setup before it) until the whole run is killed
	// (Result.TimedOut, Limit "time").
	Wall time.Duration
	// CPU is the CPU time (user+system) of all the run's processes
	// together; over it the run is killed (Limit "cpu"). Each process also
	// gets RLIMIT_CPU at this value.
	CPU time.Duration
	// Memory caps the run's memory (cgroup memory, swap off; RLIMIT_DATA in
	// rlimits mode), tmpfs files included. Over it the kernel's OOM killer
	// ends a process (Limit "memory").
	Memory int64
	// FileSize caps any one file a process writes (RLIMIT_FSIZE, SIGXFSZ).
	FileSize int64
	// Tmpfs caps the work directory and /tmp together (one tmpfs).
	Tmpfs int64
	// Output caps each of stdout and stderr. What comes beyond it is read
	// and dropped (Result.StdoutTruncated/StderrTruncated): the program is
	// not killed for it unless KillOnOutputLimit.
	Output int64
	// Pids caps the number of processes and threads alive at once (cgroup
	// pids; RLIMIT_NPROC of the run's own uid in rlimits mode).
	Pids int
	// OpenFiles is RLIMIT_NOFILE.
	OpenFiles int
	// KillOnOutputLimit kills the run once a stream passes Output (Limit
	// "output").
	KillOnOutputLimit bool
}

// DefaultLimits fill whatever Config.Limits leaves zero.
var DefaultLimits = Limits{
	Wall:      60 * time.Second,
	CPU:       60 * time.Second,
	Memory:    512 << 20,
	FileSize:  128 << 20,
	Tmpfs:     256 << 20,
	Output:    128 << 10,
	Pids:      256,
	OpenFiles: 1024,
}

// Spec is one run. Paths are as the program sees them.
type Spec struct {
	// Argv is the program and its arguments. A name without a slash is
	// looked up in the sandbox's PATH (from Env, else DefaultPath).
	Argv []string
	// Env is the program's whole environment; nothing of pid1's leaks in.
	// PATH, HOME (the work dir) and TMPDIR (/tmp) are added when missing.
	Env []string
	// Dir is the working directory; empty means WorkDir.
	Dir string
	// Files are written into WorkDir before the program starts.
	Files []File
	// Stdin is copied to the program's standard input; nil is empty. Run
	// does not wait for a Read that is still blocked when the run ends
	// (close the reader to end it).
	Stdin io.Reader
	// Stdout and Stderr receive the output as it arrives, capped at
	// Limits.Output each; nil discards. Writes come from one goroutine per
	// stream, never concurrently on the same writer.
	Stdout, Stderr io.Writer
	// Binds are extra bind mounts of host paths, only when a caller asks
	// (a workspace). Source must be reachable by the run's host uid.
	Binds []Bind
	// Collect lists files (relative to WorkDir) to read back when the run
	// has ended, into Result.Files. Symbolic links are not followed and
	// only regular files of at most Limits.Output bytes are returned.
	Collect []string
	// Limits for this run; zero fields take Config.Limits.
	Limits Limits
	// Started, when set, is called once when the run has left the queue
	// and its helper is running, before any of its output is written;
	// a run that never gets that far (queue full, ctx ended while
	// queued, a helper that cannot start) never calls it. It must not
	// block.
	Started func()
}

// File is a file written into the work directory before the run.
type File struct {
	// Path is relative to WorkDir; directories are created (0755).
	Path string
	Data []byte
	// Mode is the permission bits; 0 means 0644.
	Mode uint32
}

// Bind is a host path mounted into the run.
type Bind struct {
	// Source is the host path, Target the absolute path inside the run.
	Source, Target string
	// Writable makes the mount writable; otherwise it is read-only.
	Writable bool
	// Overlay makes the mount writable for the run only: an overlay whose
	// changes live in the run's tmpfs (counted against Limits.Tmpfs) and
	// vanish with it; Source is never modified. A warm build cache shared
	// by runs, for instance. Overrides Writable. Files of Source owned by
	// host ids the run does not map (root's) can be read, removed and
	// shadowed by new files, but not modified in place.
	Overlay bool
}

// WorkDir is the run's private writable directory (on the run's tmpfs);
// DefaultPath is the PATH a run gets when its Env has none.
const (
	WorkDir     = "/work"
	DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
)

// Status is how the program ended.
type Status int

// The statuses. Value in Result is the exit code for Exited, the signal
// number for Killed and CoreDumped, and -1 for Unknown.
const (
	Unknown Status = iota
	Exited
	Killed
	CoreDumped
)

// String gives ATO's spelling: "exited", "killed", "core_dumped", "unknown".
func (s Status) String() string {
	switch s {
	case Exited:
		return "exited"
	case Killed:
		return "killed"
	case CoreDumped:
		return "core_dumped"
	}
	return "unknown"
}

// Limit names, as in Result.Limit.
const (
	LimitTime   = "time"
	LimitCPU    = "cpu"
	LimitMemory = "memory"
	LimitPids   = "pids"
	LimitOutput = "output"
)

// Result is how one run ended and what it, and only it, used.
type Result struct {
	// Status and Value: how the program (Argv[0]'s process) ended.
	Status Status
	Value  int
	// TimedOut is set when Limits.Wall ended the run.
	TimedOut bool
	// Limit names the limit that ended the run or made it fail ("time",
	// "cpu", "memory", "pids", "output"), or "".
	Limit string
	// Real is wall time from the program's start to the end of the run;
	// User and Kernel are the CPU time of all its processes.
	Real, User, Kernel time.Duration
	// MaxMemKiB is the peak memory of the whole run (cgroup peak; the
	// largest process's peak RSS in rlimits mode).
	MaxMemKiB int64
	// Waits and Preemptions are voluntary and involuntary context
	// switches; then page faults and block I/O operations, summed over
	// the run's processes.
	Waits, Preemptions               int64
	MajorPageFaults, MinorPageFaults int64
	InputOps, OutputOps              int64
	StdoutTruncated, StderrTruncated bool
	// Files are the Spec.Collect files that existed as regular files.
	Files []File
}
