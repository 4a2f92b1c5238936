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
	r := &run1{dirs: map[string]string{}}
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
	mem := r.dirs["memory"]
	err := writeFile(filepath.Join(mem, "memory.limit_in_bytes"), strconv.FormatInt(l.Memory, 10))
	if err == nil && c.memsw {
		// Swap off: memory+swap may not exceed memory (where swap is
		// accounted; the parent's swappiness is 0 as well).
		err = writeFile(filepath.Join(mem, "memory.memsw.limit_in_bytes"), strconv.FormatInt(l.Memory, 10))
	}
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
// helper and the program; pids/prog holds only the program.
type run1 struct {
	dirs  map[string]string
	prog  string
	tasks *os.File // pids/prog/tasks, open for the helper
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
	peak, _ := readInt(filepath.Join(mem, "memory.max_usage_in_bytes"))
	return cgroupStats{
		peakBytes: peak,
		oomKills:  readKey(filepath.Join(mem, "memory.oom_control"), "oom_kill"),
		pidsMax:   readKey(filepath.Join(r.prog, "pids.events"), "max"),
	}
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
