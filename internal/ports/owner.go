package ports

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// owner is the process holding a socket.
type owner struct {
	pid     int
	comm    string
	cmdline []string
	chain   []int // pid, its parent, ... up to (not including) pid1
}

// findOwners maps each of inodes to the process that has it open, among
// the processes that descend from self (pid1). A socket several processes
// share (a forking server) goes to the one nearest pid1.
func findOwners(proc string, self int, inodes map[uint64]bool) map[uint64]owner {
	out := make(map[uint64]owner)
	entries, err := os.ReadDir(proc)
	if err != nil {
		return out
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		fds, err := os.ReadDir(filepath.Join(proc, e.Name(), "fd"))
		if err != nil {
			continue // gone, or not ours to read
		}
		var mine []uint64
		for _, fd := range fds {
			link, err := os.Readlink(filepath.Join(proc, e.Name(), "fd", fd.Name()))
			if err != nil {
				continue
			}
			if s, ok := strings.CutPrefix(link, "socket:["); ok {
				if ino, err := strconv.ParseUint(strings.TrimSuffix(s, "]"), 10, 64); err == nil && inodes[ino] {
					mine = append(mine, ino)
				}
			}
		}
		if len(mine) == 0 {
			continue
		}
		chain, ok := ancestry(proc, pid, self)
		if !ok {
			continue
		}
		o := owner{pid: pid, comm: readComm(proc, pid), cmdline: readCmdline(proc, pid), chain: chain}
		for _, ino := range mine {
			if prev, seen := out[ino]; !seen || len(chain) < len(prev.chain) {
				out[ino] = o
			}
		}
	}
	return out
}

// ancestry walks pid's parents up to self; ok is false if pid does not
// descend from self.
func ancestry(proc string, pid, self int) (chain []int, ok bool) {
	for p := pid; len(chain) < 256; {
		chain = append(chain, p)
		pp, err := parent(proc, p)
		if err != nil || pp <= 0 {
			return nil, false
		}
		if pp == self {
			return chain, true
		}
		p = pp
	}
	return nil, false
}

// parent reads the ppid from /proc/PID/stat (after the command, which may
// hold spaces and parentheses).
func parent(proc string, pid int) (int, error) {
	b, err := os.ReadFile(filepath.Join(proc, strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0, err
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("stat of %d: no command", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 2 {
		return 0, fmt.Errorf("stat of %d: too short", pid)
	}
	return strconv.Atoi(f[1])
}

func readComm(proc string, pid int) string {
	b, _ := os.ReadFile(filepath.Join(proc, strconv.Itoa(pid), "comm"))
	return strings.TrimSuffix(string(b), "\n")
}

func readCmdline(proc string, pid int) []string {
	b, _ := os.ReadFile(filepath.Join(proc, strconv.Itoa(pid), "cmdline"))
	b = bytes.TrimSuffix(b, []byte{0})
	if len(b) == 0 {
		return nil
	}
	return strings.Split(string(b), "\x00")
}
