package conman

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// memoryAvailable is how much memory pid1 may use: its cgroup's limit
// (cgroup v2 memory.max, or v1 memory.limit_in_bytes) when there is one
// below the machine's memory, else the machine's memory.
func memoryAvailable() int64 {
	var si syscall.Sysinfo_t
	total := int64(1 << 30)
	if syscall.Sysinfo(&si) == nil {
		total = int64(si.Totalram) * int64(si.Unit)
	}
	for _, p := range cgroupLimitFiles() {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && n > 0 && n < total {
			return n
		}
	}
	return total
}

// cgroupLimitFiles are where the memory limit of pid1's cgroup may be.
func cgroupLimitFiles() []string {
	files := []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return files
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.SplitN(line, ":", 3)
		if len(f) != 3 {
			continue
		}
		switch {
		case f[0] == "0" && f[1] == "":
			files = append([]string{"/sys/fs/cgroup" + f[2] + "/memory.max"}, files...)
		case strings.Contains(","+f[1]+",", ",memory,"):
			files = append([]string{"/sys/fs/cgroup/memory" + f[2] + "/memory.limit_in_bytes"}, files...)
		}
	}
	return files
}
