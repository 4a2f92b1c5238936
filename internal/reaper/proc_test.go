//go:build linux

package reaper

import (
	"os"
	"strconv"
	"strings"
)

// procInfo is the part of /proc/<pid>/stat the tests need.
type procInfo struct {
	Pid, PPid int
	State     string // R, S, D, Z, ...
	Comm      string
}

// readStat parses /proc/<pid>/stat; ok is false if the process is gone.
func readStat(pid int) (procInfo, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procInfo{}, false
	}
	s := string(b)
	// comm may contain spaces and parentheses; it ends at the last ')'.
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return procInfo{}, false
	}
	f := strings.Fields(s[end+1:])
	if len(f) < 2 {
		return procInfo{}, false
	}
	ppid, _ := strconv.Atoi(f[1])
	return procInfo{Pid: pid, PPid: ppid, State: f[0], Comm: s[open+1 : end]}, true
}

// procState is the state letter of pid, or "" if it no longer exists.
func procState(pid int) string {
	pi, _ := readStat(pid)
	return pi.State
}

// allProcs lists every process visible in /proc.
func allProcs() []procInfo {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var ps []procInfo
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if pi, ok := readStat(pid); ok {
			ps = append(ps, pi)
		}
	}
	return ps
}

// childrenOf lists the processes whose parent is ppid.
func childrenOf(ppid int) []procInfo {
	var cs []procInfo
	for _, p := range allProcs() {
		if p.PPid == ppid {
			cs = append(cs, p)
		}
	}
	return cs
}

// descendants lists every process below root, using /proc as the /proc
// mount sees it (root is a pid in that mount's namespace).
func descendants(root int) []procInfo {
	ps := allProcs()
	kids := make(map[int][]procInfo)
	for _, p := range ps {
		kids[p.PPid] = append(kids[p.PPid], p)
	}
	var out []procInfo
	queue := []int{root}
	for len(queue) > 0 {
		pid := queue[0]
		queue = queue[1:]
		for _, k := range kids[pid] {
			if k.Pid == root {
				continue
			}
			out = append(out, k)
			queue = append(queue, k.Pid)
		}
	}
	return out
}

// selfPid is our pid as the /proc mount sees it, which differs from
// os.Getpid() inside a pid namespace without its own /proc.
func selfPid() int {
	s, err := os.Readlink("/proc/self")
	if err != nil {
		return os.Getpid()
	}
	pid, err := strconv.Atoi(s)
	if err != nil {
		return os.Getpid()
	}
	return pid
}
