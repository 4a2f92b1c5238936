//go:build linux

package sandbox

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const sampleMountinfo = `21 26 0:20 / /proc rw,relatime - proc proc rw
30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 30 0:37 / /sys/fs/cgroup/un\040ified rw,relatime - cgroup2 cgroup2 rw
`

const sampleCgroup = `9:name=systemd:/
8:pids:/
4:memory:/process_api/f49f
2:cpuacct,cpu:/a
0::/
`

func TestCgroupParsing(t *testing.T) {
	ms := cgroupMounts([]byte(sampleMountinfo))
	if len(ms) != 4 || ms[0].dir != "/sys/fs/cgroup/cpuacct" || ms[0].version != 1 || ms[0].opts[1] != "cpuacct" ||
		ms[3].dir != "/sys/fs/cgroup/un ified" || ms[3].version != 2 {
		t.Fatalf("mounts: %+v", ms)
	}
	own := ownCgroups([]byte(sampleCgroup))
	for k, want := range map[string]string{"pids": "/", "memory": "/process_api/f49f", "cpuacct": "/a", "cpu": "/a", "": "/"} {
		if own[k] != want {
			t.Errorf("own[%q] = %q, want %q", k, own[k], want)
		}
	}
}

// fakeV2 lays out a directory that looks like a delegated cgroup2 tree:
// the kernel files the code reads exist, the ones it writes are created.
func fakeV2(t *testing.T) (mnt string) {
	mnt = t.TempDir()
	if err := os.WriteFile(filepath.Join(mnt, "cgroup.controllers"), []byte("cpuset cpu io memory hugetlb pids rdma misc\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return mnt
}

func TestCgroup2Layout(t *testing.T) {
	mnt := fakeV2(t)
	mounts := []cgroupMount{{dir: mnt, version: 2}}
	c, err := newCgroup2(mounts, map[string]string{"": "/"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if c.parent != filepath.Join(mnt, "pid1-sandbox") {
		t.Errorf("parent %s", c.parent)
	}
	for _, d := range []string{mnt, c.parent} {
		if b, _ := os.ReadFile(filepath.Join(d, "cgroup.subtree_control")); string(b) != "+memory +pids" {
			t.Errorf("%s subtree_control = %q", d, b)
		}
	}
	// memory.swap.max exists only where swap is accounted; the fake has
	// none, so it must not be created.
	rc, err := c.create("run-1", Limits{Memory: 64 << 20, Pids: 32})
	if err != nil {
		t.Fatal(err)
	}
	r := rc.(*run2)
	for f, want := range map[string]string{"memory.max": "67108864", "pids.max": "48"} { // 32 + the helper's reserve
		if b, _ := os.ReadFile(r.file(f)); string(b) != want {
			t.Errorf("%s = %q, want %q", f, b, want)
		}
	}
	if _, err := os.Stat(r.file("memory.swap.max")); err == nil {
		t.Error("memory.swap.max written where it does not exist")
	}
	if r.intoFD() < 0 {
		t.Error("no cgroup fd for CLONE_INTO_CGROUP")
	}
	// What the kernel would report.
	for f, data := range map[string]string{
		"memory.peak":   "73400320\n",
		"memory.events": "low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 0\n",
		"pids.events":   "max 3\n",
		"cpu.stat":      "usage_usec 1500000\nuser_usec 1000000\nsystem_usec 500000\n",
	} {
		if err := os.WriteFile(r.file(f), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	st := r.stats()
	if st.peakBytes != 73400320 || st.oomKills != 1 || st.pidsMax != 3 {
		t.Errorf("stats %+v", st)
	}
	if cpu, _ := r.cpu(); cpu != 1500*time.Millisecond {
		t.Errorf("cpu %v", cpu)
	}
	r.kill()
	if b, _ := os.ReadFile(r.file("cgroup.kill")); string(b) != "1" {
		t.Errorf("cgroup.kill = %q", b)
	}
	// Without memory.peak (before Linux 5.19) the current usage stands in.
	os.Remove(r.file("memory.peak"))
	os.WriteFile(r.file("memory.current"), []byte("4096\n"), 0o644)
	if st := r.stats(); st.peakBytes != 4096 {
		t.Errorf("peak without memory.peak: %d", st.peakBytes)
	}
	// A real cgroup directory has only kernel files, which rmdir ignores;
	// the fake's must go first.
	for _, f := range []string{"memory.max", "pids.max", "memory.events", "pids.events", "cpu.stat", "cgroup.kill", "memory.current"} {
		os.Remove(r.file(f))
	}
	if err := r.remove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(r.dir); !os.IsNotExist(err) {
		t.Errorf("run cgroup still there: %v", err)
	}
}

func TestCgroup2MissingControllers(t *testing.T) {
	mnt := t.TempDir()
	os.WriteFile(filepath.Join(mnt, "cgroup.controllers"), []byte("hugetlb\n"), 0o644)
	_, err := newCgroup2([]cgroupMount{{dir: mnt, version: 2}}, map[string]string{"": "/"}, "")
	if err == nil || !strings.Contains(err.Error(), "memory not available") {
		t.Errorf("a hierarchy with only hugetlb (this machine's): %v", err)
	}
	if _, err := newCgroup2(nil, nil, ""); err == nil {
		t.Error("no cgroup2 mount accepted")
	}
}

func TestCgroup1OnThisMachine(t *testing.T) {
	s := newTestSandbox(t, Config{Cgroup: ModeCgroup1})
	if s.Mode() != ModeCgroup1 {
		t.Fatalf("mode %s", s.Mode())
	}
	c := s.cg.(*cgroup1)
	rc, err := c.create("test-probe", Limits{Memory: 32 << 20, Pids: 7})
	if err != nil {
		t.Fatal(err)
	}
	r := rc.(*run1)
	if v, _ := readInt(filepath.Join(r.dirs["memory"], "memory.limit_in_bytes")); v != 32<<20 {
		t.Errorf("memory limit %d", v)
	}
	if v, _ := readInt(filepath.Join(r.prog, "pids.max")); v != 7 {
		t.Errorf("pids.max %d", v)
	}
	if err := r.remove(); err != nil {
		t.Fatal(err)
	}
}

func TestRlimitsMode(t *testing.T) {
	s := newTestSandbox(t, Config{Cgroup: ModeRlimits})
	if s.Mode() != ModeRlimits || s.cg != nil {
		t.Fatalf("mode %s", s.Mode())
	}
	o := run(t, s, Spec{Limits: Limits{Memory: 64 << 20}}, "/usr/bin/python3", "-c", "a = bytearray(200 << 20)")
	if o.res.Status != Exited || o.res.Value != 1 || !strings.Contains(o.stderr, "MemoryError") {
		t.Errorf("200 MiB under RLIMIT_DATA 64 MiB: %+v %q", o.res, o.stderr)
	}
	o = run(t, s, Spec{Limits: Limits{Pids: 20}}, "/bin/sh", "-c", "for i in $(seq 40); do sleep 1 & done 2>&1 | grep -c 'fork\\|Resource' ; true")
	if o.stdout == "0\n" || o.stdout == "" {
		t.Errorf("40 processes under NPROC 20: %q %q", o.stdout, o.stderr)
	}
	noSurvivors(t, s)
}
