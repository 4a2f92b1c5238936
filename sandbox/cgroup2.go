//go:build linux

package sandbox

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cgroup2 is the unified layout: runs are children of one parent whose
// subtree has the memory and pids controllers.
type cgroup2 struct {
	parent string
}

// v2Controllers must be available to the parent's children.
var v2Controllers = []string{"memory", "pids"}

// newCgroup2 finds the unified hierarchy, checks that pid1's cgroup offers
// the controllers, and prepares the parent. cgroup v2 lets only leaves
// hold processes once controllers are delegated, so if pid1's cgroup has
// processes they move to a "pid1" leaf beside the runs' parent (the way
// ATO moves its server).
func newCgroup2(mounts []cgroupMount, own map[string]string, parent string) (*cgroup2, error) {
	var mnt string
	for _, m := range mounts {
		if m.version == 2 {
			mnt = m.dir
			break
		}
	}
	if mnt == "" {
		return nil, errors.New("no cgroup2 hierarchy mounted")
	}
	base := filepath.Join(mnt, own[""])
	if parent != "" {
		base = filepath.Join(mnt, filepath.Dir(parent))
	}
	avail, err := os.ReadFile(filepath.Join(base, "cgroup.controllers"))
	if err != nil {
		return nil, err
	}
	for _, c := range v2Controllers {
		if !slices.Contains(strings.Fields(string(avail)), c) {
			return nil, fmt.Errorf("controller %s not available in %s (it has: %s)", c, base, strings.TrimSpace(string(avail)))
		}
	}
	p := filepath.Join(base, "pid1-sandbox")
	if parent != "" {
		p = filepath.Join(mnt, parent)
	}
	if err := enableControllers(base); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(p, 0o755); err != nil {
		return nil, err
	}
	if err := enableControllers(p); err != nil {
		return nil, err
	}
	sweepLeftovers(p)
	return &cgroup2{parent: p}, nil
}

// enableControllers delegates memory and pids to dir's children, first
// moving dir's own processes into a leaf if the kernel insists.
func enableControllers(dir string) error {
	ctl := filepath.Join(dir, "cgroup.subtree_control")
	want := "+" + strings.Join(v2Controllers, " +")
	err := os.WriteFile(ctl, []byte(want), 0o644)
	if !errors.Is(err, syscall.EBUSY) {
		return err
	}
	leaf := filepath.Join(dir, "pid1")
	if err := os.MkdirAll(leaf, 0o755); err != nil {
		return err
	}
	procs, err := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
	if err != nil {
		return err
	}
	for pid := range strings.FieldsSeq(string(procs)) {
		// A process may exit meanwhile; that is fine.
		_ = os.WriteFile(filepath.Join(leaf, "cgroup.procs"), []byte(pid), 0o644)
	}
	return os.WriteFile(ctl, []byte(want), 0o644)
}

func (c *cgroup2) create(name string, l Limits) (runCgroup, error) {
	d := filepath.Join(c.parent, name)
	if err := os.Mkdir(d, 0o755); err != nil {
		return nil, fmt.Errorf("sandbox: cgroup: %w", err)
	}
	r := &run2{dir: d, fd: -1}
	err := writeFile(filepath.Join(d, "memory.max"), strconv.FormatInt(l.Memory, 10))
	if err == nil {
		if _, serr := os.Stat(filepath.Join(d, "memory.swap.max")); serr == nil {
			err = writeFile(filepath.Join(d, "memory.swap.max"), "0")
		}
	}
	if err == nil {
		// The helper lives in the same cgroup (v2 places whole processes
		// only): its threads get a reserve of their own.
		err = writeFile(filepath.Join(d, "pids.max"), strconv.Itoa(l.Pids+helperThreads))
	}
	if err == nil {
		r.fd, err = syscall.Open(d, syscall.O_DIRECTORY|syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	}
	if err != nil {
		_ = r.remove()
		return nil, err
	}
	return r, nil
}

// run2 is one run's v2 cgroup.
type run2 struct {
	dir string
	fd  int
}

func (r *run2) intoFD() int { return r.fd }

func (r *run2) tasksFile() *os.File  { return nil }
func (r *run2) add(int) error        { return nil }
func (r *run2) file(n string) string { return filepath.Join(r.dir, n) }

func (r *run2) cpu() (time.Duration, error) {
	return time.Duration(readKey(r.file("cpu.stat"), "usage_usec")) * time.Microsecond, nil
}

func (r *run2) stats() cgroupStats {
	peak, err := readInt(r.file("memory.peak"))
	if err != nil { // before Linux 5.19
		peak, _ = readInt(r.file("memory.current"))
	}
	return cgroupStats{
		peakBytes: peak,
		oomKills:  readKey(r.file("memory.events"), "oom_kill"),
		pidsMax:   readKey(r.file("pids.events"), "max"),
	}
}

func (r *run2) kill() {
	if writeFile(r.file("cgroup.kill"), "1") == nil { // Linux 5.14+
		return
	}
	killProcs(r.file("cgroup.procs"))
}

// A v2 cgroup is made for each run: entering it is free (CLONE_INTO_CGROUP)
// and memory.peak can be reset only through one open file.
func (r *run2) keepable() bool { return false }

func (r *run2) reuse(Limits) error { return errors.New("sandbox: v2 cgroups are not reused") }

func (r *run2) remove() error {
	if r.fd >= 0 {
		syscall.Close(r.fd)
		r.fd = -1
	}
	return removeDir(r.dir)
}
