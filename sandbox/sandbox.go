//go:build linux

package sandbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pid1/pid1/sandbox/nsinit"
)

// systemDirs are exposed read-only at the same path when the host has them.
var systemDirs = []string{"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}

// Sandbox runs Specs. Create it with New.
type Sandbox struct {
	cfg     Config
	log     *slog.Logger
	mode    string
	cg      cgroups     // nil in rlimits mode
	ownUID  bool        // each slot has its own host uid (pid1 is root)
	native  atomic.Bool // the helper is the C one (a report said so)
	filter  []byte
	etc     []string // the allowed /etc entries, for runs that bind them
	etcTree *etcTree // the prepared /etc runs bind instead
	root    string   // mount point of the runs' roots
	helper  *os.File // the helper binary, executed through /proc/self/fd
	metrics *metrics

	slots   chan int             // free run slots
	nets    *netPool             // network namespaces kept per slot
	cgs     *slotPool[runCgroup] // cgroups kept per slot (v1)
	waiting atomic.Int64

	helperOnce sync.Once
	mu         sync.Mutex
	closed     bool
	done       chan struct{} // closed by Close
	runs       sync.WaitGroup
}

// New checks the configuration, detects the cgroup mode (v2 where the
// unified hierarchy has the controllers, else v1 memory+pids+cpuacct, else
// rlimits only with a warning), checks that a run can start, and logs the
// mode.
func New(cfg Config) (*Sandbox, error) {
	if cfg.Reaper == nil {
		return nil, errors.New("sandbox: Config.Reaper is required")
	}
	if cfg.Dir == "" {
		cfg.Dir = os.TempDir()
	}
	if cfg.MaxRuns <= 0 {
		cfg.MaxRuns = runtime.NumCPU()
	}
	switch {
	case cfg.MaxQueue == 0:
		cfg.MaxQueue = 4 * cfg.MaxRuns
	case cfg.MaxQueue < 0:
		cfg.MaxQueue = 0
	}
	if cfg.HelperPath == "" {
		cfg.HelperPath = DefaultHelperPath()
	}
	if cfg.UIDBase == 0 {
		cfg.UIDBase = 100000
	}
	if cfg.GIDBase == 0 {
		cfg.GIDBase = 100000
	}
	if cfg.Hostname == "" {
		cfg.Hostname = "sandbox"
	}
	if err := checkLimits(cfg.Limits); err != nil {
		return nil, err
	}
	cfg.Limits = merge(cfg.Limits, DefaultLimits)
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	allow := slices.Concat(etcAllow, cfg.Etc) // the /etc entries runs see
	s := &Sandbox{
		cfg:    cfg,
		log:    log,
		ownUID: os.Geteuid() == 0,
		etc:    expandEtc("/etc", allow),
		slots:  make(chan int, cfg.MaxRuns),
		nets:   newNetPool(cfg.MaxRuns),
		cgs:    newSlotPool(cfg.MaxRuns, func(cg runCgroup) { _ = dropCgroup(cg) }),
		done:   make(chan struct{}),
	}
	if st, err := os.Stat(cfg.Dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("sandbox: Config.Dir %q is not a directory", cfg.Dir)
	}
	// The roots are mounted on an empty directory of their own, so that
	// nothing a bind may need is hidden behind them.
	s.root = filepath.Join(cfg.Dir, "pid1-sandbox-root")
	if err := os.Mkdir(s.root, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	if err := os.Chmod(s.root, 0o755); err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	s.etcTree = newEtcTree(cfg.Dir, allow, etcFiles(cfg.Hostname), log.Warn)
	for i := range cfg.MaxRuns {
		s.slots <- i
	}
	// The helper is executed through an open file: its directory may be
	// closed to the run's unprivileged uid, and replacing the file on disk
	// (an upgrade) does not change what runs.
	var err error
	if s.helper, err = os.Open(cfg.HelperPath); err != nil {
		return nil, fmt.Errorf("sandbox: helper: %w", err)
	}
	if s.filter, err = seccompFilter(); err != nil {
		s.helper.Close()
		return nil, err
	}
	var why error
	s.mode, s.cg, why = detectCgroups(cfg.Cgroup, cfg.CgroupParent)
	if s.cg == nil && cfg.Cgroup != "" && cfg.Cgroup != ModeRlimits {
		s.helper.Close()
		return nil, fmt.Errorf("sandbox: cgroup mode %s not available: %w", cfg.Cgroup, why)
	}
	s.metrics = newMetrics(s)
	// One run now, so that a host without user namespaces (or without
	// the helper hook) fails here with a clear error, not on a client's
	// first request.
	if _, err := s.Run(context.Background(), Spec{Argv: []string{"/bin/sh", "-c", ":"}}); err != nil {
		s.Close()
		return nil, fmt.Errorf("sandbox: a trial run failed (user namespaces allowed? helper %s links package sandbox?): %w", cfg.HelperPath, err)
	}
	if s.mode == ModeRlimits {
		log.Warn("sandbox: NO CGROUPS: runs are limited by rlimits only; memory is capped per process (RLIMIT_DATA), CPU per process, and processes per uid",
			"reason", why)
	} else {
		log.Info("sandbox: ready", "mode", s.mode, "max_runs", cfg.MaxRuns, "max_queue", cfg.MaxQueue)
	}
	return s, nil
}

// HelperName is the small helper binary (cmd/pid1-sandbox-helper).
const HelperName = "pid1-sandbox-helper"

// HelperLDFlags are the linker flags the Go-built helper is built with
// (as in `go build -ldflags`; HelperBuild's fallback without a C
// compiler): no symbol tables.
const HelperLDFlags = "-s -w"

// HelperCC is the C compiler the helper is built with: musl's (Debian's
// musl-tools) where it is installed, else cc, else "" (no C compiler). A
// static program's start-up is most of the helper's cost per run, and
// glibc's (CPU feature probing, IRELATIVE relocations, tunables) is the
// larger part of it: a static no-op started and reaped costs about 1.3 ms
// of CPU with glibc and 0.55 ms with musl on the machines we measure on.
func HelperCC() string {
	for _, cc := range []string{"musl-gcc", "cc", "gcc"} {
		if p, err := exec.LookPath(cc); err == nil {
			return p
		}
	}
	return ""
}

// HelperCFlags build the helper as a static C program of its own: its C
// files with P1_STANDALONE defined, which gives them a main. Without the
// Go runtime linked in (as `go build` with cgo does), the binary is about
// 80 KiB instead of 1.6 MiB, and each run's helper takes about 8 page
// faults fewer and starts and exits faster: 1.036x runs/s for `true`.
var HelperCFlags = []string{"-static", "-O2", "-s", "-DP1_STANDALONE"}

// HelperPackage is the helper's Go package, whose directory holds its C
// files.
const HelperPackage = "github.com/pid1/pid1/sandbox/cmd/pid1-sandbox-helper"

// HelperBuild is the command that builds the helper into out as `make
// build` does: its C files compiled by HelperCC into a static program, or,
// without a C compiler, `go build` of the package without cgo (package
// nsinit's helper in Go, several times slower per run). It asks `go list`
// where the C files are.
func HelperBuild(out string) (*exec.Cmd, error) {
	cc := HelperCC()
	if cc == "" {
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags="+HelperLDFlags, "-o", out, HelperPackage)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		return cmd, nil
	}
	dir, err := exec.Command("go", "list", "-f", "{{.Dir}}", HelperPackage).Output()
	if err != nil {
		return nil, fmt.Errorf("sandbox: go list %s: %w", HelperPackage, err)
	}
	src, err := filepath.Glob(filepath.Join(strings.TrimSpace(string(dir)), "*.c"))
	if err != nil || len(src) == 0 {
		return nil, fmt.Errorf("sandbox: no C files of the helper in %s", dir)
	}
	return exec.Command(cc, slices.Concat(HelperCFlags, []string{"-o", out}, src)...), nil
}

// DefaultHelperPath is the helper New uses when Config.HelperPath is
// empty: HelperName beside the running executable when it is there (it
// starts several times faster than pid1's own binary), else the running
// binary itself.
func DefaultHelperPath() string {
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), HelperName)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return p
		}
	}
	return "/proc/self/exe"
}

// detectCgroups picks the mode: the forced one, else v2, v1, rlimits.
func detectCgroups(force, parent string) (string, cgroups, error) {
	mi, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return ModeRlimits, nil, err
	}
	cg, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return ModeRlimits, nil, err
	}
	mounts, own := cgroupMounts(mi), ownCgroups(cg)
	var errs []error
	if force == "" || force == ModeCgroup2 {
		c, err := newCgroup2(mounts, own, parent)
		if err == nil {
			return ModeCgroup2, c, nil
		}
		errs = append(errs, fmt.Errorf("cgroup2: %w", err))
	}
	if force == "" || force == ModeCgroup1 {
		c, err := newCgroup1(mounts, own, parent)
		if err == nil {
			return ModeCgroup1, c, nil
		}
		errs = append(errs, fmt.Errorf("cgroup1: %w", err))
	}
	return ModeRlimits, nil, errors.Join(errs...)
}

// Mode is "cgroup2", "cgroup1" or "rlimits".
func (s *Sandbox) Mode() string { return s.mode }

// Run runs one Spec and returns how it ended. Cancelling ctx kills the
// whole run (its Result then has Status Killed). The error is non-nil only
// when the run did not happen: a bad Spec (ErrBadSpec), ErrQueueFull,
// ErrClosed, ctx ended while queued, a failure to set the run up, or a
// program that could not be started (ErrStart).
func (s *Sandbox) Run(ctx context.Context, spec Spec) (Result, error) {
	l := merge(spec.Limits, s.cfg.Limits)
	if err := checkLimits(spec.Limits); err != nil {
		return Result{}, err
	}
	req, err := s.request(&spec, l)
	if err != nil {
		return Result{}, err
	}
	if c, err := s.etcTree.acquire(); err == nil {
		defer s.etcTree.release(c)
		req.EtcDir, req.Etc, req.EtcFiles = c.dir, nil, nil
	}
	slot, err := s.acquire(ctx)
	if err != nil {
		return Result{}, err
	}
	defer s.release(slot)
	return s.execute(ctx, slot, &spec, l, req)
}

// acquire takes a free slot, queueing if there is room in the queue.
func (s *Sandbox) acquire(ctx context.Context) (int, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return 0, ErrClosed
	}
	s.runs.Add(1)
	s.mu.Unlock()
	select {
	case slot := <-s.slots:
		return slot, nil
	default:
	}
	if s.waiting.Add(1) > int64(s.cfg.MaxQueue) {
		s.waiting.Add(-1)
		s.runs.Done()
		return 0, ErrQueueFull
	}
	defer s.waiting.Add(-1)
	select {
	case slot := <-s.slots:
		return slot, nil
	case <-ctx.Done():
		s.runs.Done()
		return 0, ctx.Err()
	case <-s.done:
		s.runs.Done()
		return 0, ErrClosed
	}
}

func (s *Sandbox) release(slot int) {
	s.slots <- slot
	s.runs.Done()
}

// Close kills every run, waits for them to end, and makes later Runs fail
// with ErrClosed. Runs still queued fail with ErrClosed.
func (s *Sandbox) Close() error {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.done)
	}
	s.mu.Unlock()
	s.runs.Wait()
	s.nets.close()
	s.cgs.close()
	s.helperOnce.Do(func() { s.helper.Close() })
	s.etcTree.close()
	return nil
}

// merge fills l's zero fields from def.
func merge(l, def Limits) Limits {
	set := func(v *int64, d int64) {
		if *v == 0 {
			*v = d
		}
	}
	if l.Wall == 0 {
		l.Wall = def.Wall
	}
	if l.CPU == 0 {
		l.CPU = def.CPU
	}
	set(&l.Memory, def.Memory)
	set(&l.FileSize, def.FileSize)
	set(&l.Tmpfs, def.Tmpfs)
	set(&l.Output, def.Output)
	if l.Pids == 0 {
		l.Pids = def.Pids
	}
	if l.OpenFiles == 0 {
		l.OpenFiles = def.OpenFiles
	}
	l.KillOnOutputLimit = l.KillOnOutputLimit || def.KillOnOutputLimit
	return l
}

// checkLimits rejects negative limits (zero means the default).
func checkLimits(l Limits) error {
	if l.Wall < 0 || l.CPU < 0 || l.Memory < 0 || l.FileSize < 0 || l.Tmpfs < 0 || l.Output < 0 || l.Pids < 0 || l.OpenFiles < 0 {
		return fmt.Errorf("%w: negative limit in %+v", ErrBadSpec, l)
	}
	return nil
}

// helperEnv is the helper's whole environment. The helper allocates
// little and lives as long as its run: it does without the garbage
// collector (up to a limit it never nears), which saves about 1.5 ms of
// CPU per run (measured: 18.4 → 16.8 ms of the helper and program's CPU
// for /bin/true).
var helperEnv = []string{nsinit.EnvMarker + "=1", "GOMAXPROCS=1", "GOGC=off", "GOMEMLIMIT=64MiB"}
