package reaper

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
)

// SignalSession sends sig to every process in the session the process
// leads (it was started with Setsid), whatever group each is in: a
// job-control shell moves each job to a group of its own, which
// SignalGroup does not reach. Like a group, a session id cannot be reused
// while a member lives. It reports how many processes it signalled.
func (p *Process) SignalSession(sig syscall.Signal) int {
	n := 0
	for _, pid := range members(p.Pid, fieldSession) {
		if syscall.Kill(pid, sig) == nil {
			n++
		}
	}
	return n
}

// SessionMembers lists the live processes (zombies included) of the
// session the process leads, the leader included.
func (p *Process) SessionMembers() []int { return members(p.Pid, fieldSession) }

// GroupMembers lists the live processes (zombies included) of the process
// group the process leads, the leader included.
func (p *Process) GroupMembers() []int { return members(p.Pid, fieldGroup) }

// Fields of /proc/PID/stat after the command's closing parenthesis.
const (
	fieldParent  = 1
	fieldGroup   = 2
	fieldSession = 3
)

// members lists the pids whose group or session id (field) is id, from
// /proc.
func members(id, field int) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue // gone meanwhile
		}
		// pid (comm) state ppid pgrp session ...; comm may hold spaces and
		// parentheses, so fields are counted after its last ')'.
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 {
			continue
		}
		f := bytes.Fields(stat[i+1:])
		if len(f) < 4 {
			continue
		}
		if v, err := strconv.Atoi(string(f[field])); err == nil && v == id {
			out = append(out, pid)
		}
	}
	return out
}

// descendantPIDs lists the processes below root in the process tree, from
// /proc (zombies included: they are ours to collect).
func descendantPIDs(root int) []int {
	children := map[int][]int{}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 {
			continue
		}
		f := bytes.Fields(stat[i+1:])
		if len(f) < 2 {
			continue
		}
		if ppid, err := strconv.Atoi(string(f[fieldParent])); err == nil {
			children[ppid] = append(children[ppid], pid)
		}
	}
	var out []int
	for queue := children[root]; len(queue) > 0; queue = queue[1:] {
		out = append(out, queue[0])
		queue = append(queue, children[queue[0]]...)
	}
	return out
}

// procSelf is our pid as the /proc mount sees it.
func procSelf() int {
	if s, err := os.Readlink("/proc/self"); err == nil {
		if pid, err := strconv.Atoi(s); err == nil {
			return pid
		}
	}
	return os.Getpid()
}
