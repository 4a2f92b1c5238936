//go:build linux

package sandbox

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"
)

// v1Controllers are the hierarchies a v1 run uses.
var v1Controllers = []string{"memory", "pids", "cpuacct"}

// cgroup1 is the v1 layout: one parent directory per controller.
type cgroup1 struct {
	parents map[string]string // controller → parent cgroup directory
	memsw   bool              // swap is accounted: memory.memsw.* exist
}

// newCgroup1 finds the memory, pids and cpuacct hierarchies and creates
// (or reuses) the parent under pid1's own cgroup in each.
func newCgroup1(mounts []cgroupMount, own map[string]string, parent string) (*cgroup1, error) {
	c := &cgroup1{parents: map[string]string{}}
	for _, ctrl := range v1Controllers {
		var dir string
		for _, m := range mounts {
			if m.version == 1 && slices.Contains(m.opts, ctrl) {
				dir = m.dir
				break
			}
		}
		if dir == "" {
			return nil, fmt.Errorf("no cgroup v1 %s hierarchy mounted", ctrl)
		}
		p := parent
		if p == "" {
			p = filepath.Join(own[ctrl], "pid1-sandbox")
		}
		p = filepath.Join(dir, p)
		if err := os.MkdirAll(p, 0o755); err != nil {
			return nil, fmt.Errorf("create %s: %w", p, err)
		}
		c.parents[ctrl] = p
		sweepLeftovers(p)
	}
	mem := c.parents["memory"]
	_, err := os.Stat(filepath.Join(mem, "memory.memsw.limit_in_bytes"))
	c.memsw = err == nil
	// Do not swap: a new memory cgroup takes its parent's swappiness.
	_ = writeFile(filepath.Join(mem, "memory.swappiness"), "0")
	return c, nil
}

func (c *cgroup1) create(name string, l Limits) (runCgroup, error) {
	r := &run1{dirs: map[string]string{}, memory: l.Memory, pids: l.Pids}
	for _, ctrl := range v1Controllers {
		d := filepath.Join(c.parents[ctrl], name)
		if err := os.Mkdir(d, 0o755); err != nil {
			_ = r.remove()
			return nil, fmt.Errorf("sandbox: cgroup: %w", err)
		}
		r.dirs[ctrl] = d
	}
	// The program's processes count against pids.max in a child cgroup
	// the helper is not in: a fork bomb must not starve the helper.
	r.prog = filepath.Join(r.dirs["pids"], "prog")
	if err := os.Mkdir(r.prog, 0o755); err != nil {
		r.prog = ""
		_ = r.remove()
		return nil, fmt.Errorf("sandbox: cgroup: %w", err)
	}
	r.memsw = c.memsw
	err := r.setMemory(0, l.Memory)
	if err == nil {
		err = writeFile(filepath.Join(r.prog, "pids.max"), strconv.Itoa(l.Pids))
	}
	if err == nil {
		r.tasks, err = os.OpenFile(filepath.Join(r.prog, "tasks"), os.O_WRONLY, 0)
	}
	if err != nil {
		_ = r.remove()
		return nil, err
	}
	return r, nil
}

// run1 is one run's v1 cgroups: memory, cpuacct and pids hold the
// helper and the program; pids/prog holds only the program. A slot keeps
// its cgroups from one run to the next when the last run left them empty
// with little charged (keepable): making and removing a memory cgroup,
// and the kernel's work behind it, cost a Python hello world about 1 ms
// of CPU on the machines we measure on. The counters that cannot be
// reset are read as differences from where the run started.
type run1 struct {
	dirs  map[string]string
	prog  string
	tasks *os.File // pids/prog/tasks, open for the helper
	memsw bool     // swap is accounted

	memory int64 // the limits written
	pids   int

	// Where this run's counters started (zero in a new cgroup), and what
	// stats last read (the next run's start).
	base, oomBase, pidsBase int64
	oomSeen, pidsSeen       int64
	statsRead               bool
}

// keepCharge is the most memory a cgroup may have charged after its run
// and still be kept: about what the kernel's per-CPU charge reserve
// and cached kernel objects hold after a small program (0.2 to 0.5 MiB
// after a Python hello world). A run's peak is counted above it.
const keepCharge = 1 << 20

// setMemory changes the memory limit from old to v, with memory+swap
// (where accounted) never below memory: swap off.
func (r *run1) setMemory(old, v int64) error {
	mem := r.dirs["memory"]
	limit := func() error { return writeFile(filepath.Join(mem, "memory.limit_in_bytes"), strconv.FormatInt(v, 10)) }
	memsw := func() error {
		if !r.memsw {
			return nil
		}
		return writeFile(filepath.Join(mem, "memory.memsw.limit_in_bytes"), strconv.FormatInt(v, 10))
	}
	if old != 0 && v > old {
		if err := memsw(); err != nil {
			return err
		}
		return limit()
	}
	if err := limit(); err != nil {
		return err
	}
	return memsw()
}

func (r *run1) intoFD() int { return -1 }

func (r *run1) tasksFile() *os.File { return r.tasks }

func (r *run1) add(pid int) error {
	for _, ctrl := range v1Controllers {
		if err := writeFile(filepath.Join(r.dirs[ctrl], "cgroup.procs"), strconv.Itoa(pid)); err != nil {
			return err
		}
	}
	return nil
}

func (r *run1) cpu() (time.Duration, error) {
	ns, err := readInt(filepath.Join(r.dirs["cpuacct"], "cpuacct.usage"))
	return time.Duration(ns), err
}

func (r *run1) stats() cgroupStats {
	mem := r.dirs["memory"]
	peak, err := readInt(filepath.Join(mem, "memory.max_usage_in_bytes"))
	r.oomSeen = readKey(filepath.Join(mem, "memory.oom_control"), "oom_kill")
	r.pidsSeen = readKey(filepath.Join(r.prog, "pids.events"), "max")
	r.statsRead = err == nil
	return cgroupStats{
		peakBytes: max(peak-r.base, 0),
		oomKills:  r.oomSeen - r.oomBase,
		pidsMax:   r.pidsSeen - r.pidsBase,
	}
}

func (r *run1) keepable() bool {
	if !r.statsRead || r.tasks == nil {
		return false
	}
	used, err := readInt(filepath.Join(r.dirs["memory"], "memory.usage_in_bytes"))
	if err != nil || used > keepCharge {
		return false
	}
	for _, procs := range []string{filepath.Join(r.prog, "cgroup.procs"), filepath.Join(r.dirs["pids"], "cgroup.procs")} {
		if b, err := readFile(procs); err != nil || len(b) != 0 {
			return false
		}
	}
	return true
}

func (r *run1) reuse(l Limits) error {
	if l.Memory != r.memory {
		if err := r.setMemory(r.memory, l.Memory); err != nil {
			return err
		}
		r.memory = l.Memory
	}
	if l.Pids != r.pids {
		if err := writeFile(filepath.Join(r.prog, "pids.max"), strconv.Itoa(l.Pids)); err != nil {
			return err
		}
		r.pids = l.Pids
	}
	mem := r.dirs["memory"]
	if err := writeFile(filepath.Join(mem, "memory.max_usage_in_bytes"), "0"); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(r.dirs["cpuacct"], "cpuacct.usage"), "0"); err != nil {
		return err
	}
	base, err := readInt(filepath.Join(mem, "memory.usage_in_bytes"))
	if err != nil {
		return err
	}
	r.base, r.oomBase, r.pidsBase, r.statsRead = base, r.oomSeen, r.pidsSeen, false
	return nil
}

func (r *run1) kill() {
	killProcs(filepath.Join(r.prog, "cgroup.procs"))
	killProcs(filepath.Join(r.dirs["pids"], "cgroup.procs"))
}

func (r *run1) remove() error {
	if r.tasks != nil {
		r.tasks.Close()
		r.tasks = nil
	}
	var first error
	if r.prog != "" {
		first = removeDir(r.prog)
	}
	for _, d := range r.dirs {
		if err := removeDir(d); err != nil && first == nil {
			first = err
		}
	}
	return first
}
