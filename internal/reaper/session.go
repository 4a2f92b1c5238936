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
	for _, pid := range sessionMembers(p.Pid) {
		if syscall.Kill(pid, sig) == nil {
			n++
		}
	}
	return n
}

// sessionMembers lists the pids whose session id is sid, from /proc.
func sessionMembers(sid int) []int {
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
		if s, err := strconv.Atoi(string(f[3])); err == nil && s == sid {
			out = append(out, pid)
		}
	}
	return out
}
