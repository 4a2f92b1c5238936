//go:build linux

package sandbox

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// The cgroup modes, as Mode reports them.
const (
	ModeCgroup2 = "cgroup2"
	ModeCgroup1 = "cgroup1"
	ModeRlimits = "rlimits"
)

// cgroups makes one cgroup per run.
type cgroups interface {
	create(name string, l Limits) (runCgroup, error)
}

// runCgroup is one run's cgroup (in v1, one directory per controller).
type runCgroup interface {
	// intoFD is a directory fd for CLONE_INTO_CGROUP, or -1 (v1).
	intoFD() int
	// add moves a process in (v1; v2 starts it there).
	add(pid int) error
	// tasksFile is an open v1 tasks file the program's thread moves
	// itself into before the fork, or nil.
	tasksFile() *os.File
	// cpu is the CPU time used so far.
	cpu() (time.Duration, error)
	stats() cgroupStats
	// kill SIGKILLs every process in the cgroup.
	kill()
	// remove deletes the cgroup once it is empty.
	remove() error
	// keepable reports whether the cgroup, its run over and its stats
	// read, may serve the slot's next run: it is empty and little memory
	// is left charged to it. Only v1 cgroups are ever kept.
	keepable() bool
	// reuse readies a kept cgroup for a run with limits l: changed limits
	// written, the CPU and peak counters reset, the charge it starts with
	// noted. An error means it cannot serve.
	reuse(l Limits) error
}

// cgroupStats are what a cgroup knows better than rusage.
type cgroupStats struct {
	peakBytes int64 // whole-run memory peak; 0 if unknown
	oomKills  int64 // processes the OOM killer ended
	pidsMax   int64 // forks refused by pids.max
}

// helperThreads is what the helper's own threads may need of a pids
// limit where they share the program's cgroup.
const helperThreads = 16

// cgroupMount is one cgroup hierarchy mounted here.
type cgroupMount struct {
	dir     string
	version int      // 1 or 2
	opts    []string // super options (v1: the controllers)
}

// mountinfo lists the cgroup hierarchies from /proc/self/mountinfo.
func cgroupMounts(mountinfo []byte) []cgroupMount {
	var ms []cgroupMount
	sc := bufio.NewScanner(bytes.NewReader(mountinfo))
	for sc.Scan() {
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		if !ok {
			continue
		}
		f, g := strings.Fields(pre), strings.Fields(post)
		if len(f) < 5 || len(g) < 3 {
			continue
		}
		switch g[0] {
		case "cgroup":
			ms = append(ms, cgroupMount{dir: unescapeMount(f[4]), version: 1, opts: strings.Split(g[2], ",")})
		case "cgroup2":
			ms = append(ms, cgroupMount{dir: unescapeMount(f[4]), version: 2})
		}
	}
	return ms
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// ownCgroups parses /proc/self/cgroup: controller (or "" for v2) → path.
func ownCgroups(data []byte) map[string]string {
	own := map[string]string{}
	for line := range strings.SplitSeq(strings.TrimSpace(string(data)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[1] == "" {
			own[""] = parts[2]
			continue
		}
		for c := range strings.SplitSeq(parts[1], ",") {
			own[c] = parts[2]
		}
	}
	return own
}

// writeFile writes a control file.
//
// Cgroup files are read and written with plain system calls: each run
// touches about fifteen, and package os would add a stat, a try at the
// network poller and a finalizer to each.
func writeFile(path, value string) error {
	fd, err := unix.Open(path, unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC|unix.O_CLOEXEC, 0o644)
	if err == nil {
		var n int
		n, err = unix.Write(fd, []byte(value))
		if err == nil && n != len(value) {
			err = io.ErrShortWrite
		}
		unix.Close(fd)
	}
	if err != nil {
		return fmt.Errorf("sandbox: cgroup: write %s: %w", path, err)
	}
	return nil
}

// readFile reads a cgroup file (they are small; at most 64 KiB is read).
func readFile(path string) ([]byte, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	defer unix.Close(fd)
	b := make([]byte, 0, 512)
	for len(b) < 64<<10 {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := unix.Read(fd, b[len(b):cap(b)])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "read", Path: path, Err: err}
		}
		if n == 0 {
			break
		}
		b = b[:len(b)+n]
	}
	return b, nil
}

// readInt reads a file holding one integer.
func readInt(path string) (int64, error) {
	b, err := readFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
}

// readKey reads "key value" lines (memory.events, cpu.stat, pids.events,
// memory.oom_control) and returns the value of key, or 0.
func readKey(path, key string) int64 {
	b, err := readFile(path)
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		k, v, ok := strings.Cut(line, " ")
		if ok && k == key {
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n
		}
	}
	return 0
}

// removeDir rmdirs a cgroup, retrying while the kernel still counts a
// process that is on its way out.
func removeDir(dir string) error {
	deadline := time.Now().Add(time.Second)
	for {
		err := syscall.Rmdir(dir)
		if err == nil || errors.Is(err, syscall.ENOENT) {
			return nil
		}
		if !errors.Is(err, syscall.EBUSY) || time.Now().After(deadline) {
			return fmt.Errorf("sandbox: remove cgroup %s: %w", dir, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// killProcs SIGKILLs the pids listed in a cgroup.procs file until it is
// empty (v1 has no cgroup.kill).
func killProcs(procs string) {
	for range 100 {
		b, err := readFile(procs)
		if err != nil || len(bytes.TrimSpace(b)) == 0 {
			return
		}
		for f := range strings.FieldsSeq(string(b)) {
			if pid, err := strconv.Atoi(f); err == nil && pid > 0 {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		time.Sleep(time.Millisecond)
	}
}

// sweepLeftovers removes the empty run cgroups in parent whose pid1 is
// gone (it was killed before it could clean up): names are
// run-<pid>-<n>-<slot>. A cgroup that still holds a process cannot be
// removed, so nothing alive is touched.
func sweepLeftovers(parent string) {
	ents, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range ents {
		rest, ok := strings.CutPrefix(e.Name(), "run-")
		if !e.IsDir() || !ok {
			continue
		}
		pidStr, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidStr)
		if err != nil || pid == os.Getpid() || syscall.Kill(pid, 0) == nil {
			continue
		}
		dir := parent + "/" + e.Name()
		_ = syscall.Rmdir(dir + "/prog")
		_ = syscall.Rmdir(dir)
	}
}
