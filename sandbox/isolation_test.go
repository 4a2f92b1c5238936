//go:build linux

package sandbox

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestRootInsideIsUnprivilegedOutside(t *testing.T) {
	s := newTestSandbox(t, Config{MaxRuns: 1})
	o := sh(t, s, "id -u; cat /proc/self/uid_map; cat /proc/self/gid_map")
	expect(t, o, Exited, 0)
	f := strings.Fields(o.stdout)
	want := []string{"0", "0", strconv.Itoa(s.cfg.UIDBase), "1", "0", strconv.Itoa(s.cfg.GIDBase), "1"}
	if strings.Join(f, " ") != strings.Join(want, " ") {
		t.Fatalf("uid and maps = %q, want %q", f, want)
	}
}

func TestTestBinaryAsHelper(t *testing.T) {
	s := newTestSandbox(t, Config{HelperPath: "/proc/self/exe"})
	o := sh(t, s, `tr -d '\000' < /proc/1/cmdline; echo; id -u`)
	expect(t, o, Exited, 0)
	if o.stdout != "pid1-sandbox-helper\n0\n" {
		t.Errorf("got %q", o.stdout)
	}
}

func TestNoPrivileges(t *testing.T) {
	s := newTestSandbox(t, Config{})
	o := sh(t, s, "grep -E '^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):' /proc/self/status")
	expect(t, o, Exited, 0)
	for _, line := range strings.Split(strings.TrimSpace(o.stdout), "\n") {
		k, v, _ := strings.Cut(line, ":")
		v = strings.TrimSpace(v)
		switch {
		case strings.HasPrefix(k, "Cap") && v != "0000000000000000":
			t.Errorf("%s = %s, want no capabilities", k, v)
		case k == "NoNewPrivs" && v != "1":
			t.Errorf("NoNewPrivs = %s", v)
		case k == "Seccomp" && v != "2":
			t.Errorf("Seccomp = %s, want 2 (filter)", v)
		}
	}
	if n := strings.Count(o.stdout, "\n"); n != 7 {
		t.Errorf("expected 7 status lines, got %q", o.stdout)
	}
}

func TestSeccompRefuses(t *testing.T) {
	s := newTestSandbox(t, Config{})
	for _, c := range []struct{ name, script string }{
		{"new user namespace", "unshare -U true"},
		{"new mount namespace", "unshare -m true"},
		{"mount", "mount -t tmpfs x /tmp"},
		{"chroot", "chroot / true"},
	} {
		o := sh(t, s, c.script+" 2>&1; echo rc=$?")
		if strings.HasSuffix(strings.TrimSpace(o.stdout), "rc=0") {
			t.Errorf("%s: allowed: %q", c.name, o.stdout)
		}
		if !strings.Contains(o.stdout, "not permitted") && !strings.Contains(o.stdout, "permission denied") {
			t.Errorf("%s: want EPERM, got %q", c.name, o.stdout)
		}
	}
	// A Python that asks the kernel directly gets EPERM too.
	o := sh(t, s, `/usr/bin/python3 -c '
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
for name, nr in (("ptrace", 101), ("bpf", 321), ("keyctl", 250), ("perf_event_open", 298), ("kexec_load", 246), ("reboot", 169)):
    r = libc.syscall(nr, 0, 0, 0, 0, 0)
    print(name, r, ctypes.get_errno())
'`)
	expect(t, o, Exited, 0)
	for _, line := range strings.Split(strings.TrimSpace(o.stdout), "\n") {
		if f := strings.Fields(line); len(f) != 3 || f[1] != "-1" || f[2] != "1" {
			t.Errorf("want -1 EPERM (1): %q", line)
		}
	}
}

func TestNamespaces(t *testing.T) {
	s := newTestSandbox(t, Config{Hostname: "box"})
	o := sh(t, s, "hostname; echo $$; ls /proc | grep -cE '^[0-9]+$'; readlink /proc/1/exe || echo hidden")
	expect(t, o, Exited, 0)
	f := strings.Fields(o.stdout)
	// pid 1 is the helper (its threads take the next few ids).
	if pid, _ := strconv.Atoi(f[1]); len(f) != 4 || f[0] != "box" || pid < 2 || pid > 20 || f[3] != "hidden" {
		t.Fatalf("hostname, pid, processes, /proc/1/exe = %q, want box, a small pid, and the helper's exe hidden", f)
	}
	// /proc is fresh: the helper, the shell, ls, grep, readlink at most.
	if n, _ := strconv.Atoi(f[2]); n > 5 {
		t.Errorf("the run sees %d processes in /proc", n)
	}
	// IPC: the host's System V objects are not there.
	o = sh(t, s, "cat /proc/sysvipc/shm | wc -l")
	expect(t, o, Exited, 0)
	if strings.TrimSpace(o.stdout) != "1" {
		t.Errorf("shm segments visible: %q", o.stdout)
	}
}

func TestFileSystemView(t *testing.T) {
	// A secret in a directory like pid1's state dir, and one in /root.
	state := t.TempDir()
	key := filepath.Join(state, "signing.key")
	if err := os.WriteFile(key, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := newTestSandbox(t, Config{})
	for _, p := range []string{key, state, "/etc/shadow", "/etc/gshadow", "/etc/ssh", "/etc/ssl/private", "/root", "/home", "/var", "/sys", "/dev/sda", "/dev/vda", "/work/../root"} {
		o := sh(t, s, "test -e "+p+" && echo visible; cat "+p+" 2>/dev/null; ls "+p+" 2>/dev/null; true")
		expect(t, o, Exited, 0)
		if o.stdout != "" {
			t.Errorf("%s visible inside: %q", p, o.stdout)
		}
	}
	// What must be there.
	o := sh(t, s, `for p in /usr/bin/python3 /etc/ld.so.cache /etc/passwd /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty /dev/pts /dev/shm /dev/ptmx /proc/self /work /tmp; do test -e $p || echo missing $p; done
grep -c . /etc/passwd; echo data > /dev/null; head -c 4 /dev/zero | wc -c`)
	expect(t, o, Exited, 0)
	if o.stdout != "2\n4\n" {
		t.Errorf("got %q", o.stdout)
	}
}

func TestWritesOutsideWorkDirFail(t *testing.T) {
	s := newTestSandbox(t, Config{})
	for _, p := range []string{"/x", "/usr/x", "/usr/bin/x", "/etc/x", "/etc/passwd", "/lib/x", "/dev/x", "/proc/sys/kernel/hostname", "/proc/1/oom_score_adj"} {
		o := sh(t, s, "echo hi > "+p+" && echo wrote; mkdir "+p+"d 2>/dev/null && echo made; true")
		expect(t, o, Exited, 0)
		if o.stdout != "" {
			t.Errorf("%s: %q", p, o.stdout)
		}
	}
	o := sh(t, s, "echo a > /work/a && echo b > /tmp/b && echo c > /dev/shm/c && cat /work/a /tmp/b /dev/shm/c && pwd")
	expect(t, o, Exited, 0)
	if o.stdout != "a\nb\nc\n/work\n" {
		t.Errorf("writes in the work dir, /tmp and /dev/shm: %q", o.stdout)
	}
}

func TestPlantedSymlinkGetsNothing(t *testing.T) {
	state := t.TempDir()
	key := filepath.Join(state, "signing.key")
	if err := os.WriteFile(key, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := newTestSandbox(t, Config{})
	script := fmt.Sprintf(`ln -s %s /work/key; ln -s /etc/shadow /work/shadow; ln -s /proc/1/root/etc/hostname /work/proc
mkdir /work/d; ln -s / /work/d/up; echo fine > /work/ok
cat /work/key /work/shadow 2>&1 | grep -c secret`, key)
	o, err := tryRun(s, Spec{Collect: []string{"key", "shadow", "proc", "d/up/etc/passwd", "ok", "missing"}}, "/bin/sh", "-c", script)
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(o.stdout) != "0" {
		t.Errorf("the link was followed inside: %q %q", o.stdout, o.stderr)
	}
	if len(o.res.Files) != 1 || o.res.Files[0].Path != "ok" || string(o.res.Files[0].Data) != "fine\n" {
		t.Errorf("collected %+v, want only ok", o.res.Files)
	}
	// Spec paths that leave the work directory are refused up front.
	for _, p := range []string{"../x", "/etc/x", "a/../../x", ""} {
		if _, err := tryRun(s, Spec{Files: []File{{Path: p}}}, "true"); err == nil {
			t.Errorf("file path %q accepted", p)
		}
		if _, err := tryRun(s, Spec{Collect: []string{p}}, "true"); err == nil {
			t.Errorf("collect path %q accepted", p)
		}
	}
}

func TestNetworkOnlyLoopback(t *testing.T) {
	// A listener standing for pid1's own port.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("pid1\n"))
			c.Close()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	s := newTestSandbox(t, Config{})
	o := run(t, s, Spec{}, "/usr/bin/python3", "-c", fmt.Sprintf(`
import socket
def try_connect(addr):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(2)
    try:
        s.connect(addr)
        return "connected " + repr(s.recv(10))
    except OSError as e:
        return "failed"
    finally:
        s.close()
print(try_connect(("127.0.0.1", %d)))
for a in ("10.0.2.2", "1.1.1.1", "192.168.0.1"):
    print(try_connect((a, 80)))
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(1)
c = socket.create_connection(srv.getsockname()); a, _ = srv.accept(); a.send(b"lo"); print(c.recv(2).decode())
`, port))
	expect(t, o, Exited, 0)
	want := "failed\nfailed\nfailed\nfailed\nlo\n"
	if o.stdout != want {
		t.Errorf("got %q (stderr %q), want %q", o.stdout, o.stderr, want)
	}
}

func TestRunsDoNotShareTheNetwork(t *testing.T) {
	s := newTestSandbox(t, Config{MaxRuns: 2})
	const listen = `import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", 5555)); s.listen(1)
print("listening", flush=True); time.sleep(float(sys.argv[1]))`
	const connect = `import socket
try:
    socket.create_connection(("127.0.0.1", 5555), timeout=2); print("connected")
except OSError:
    print("refused")`
	// Concurrent runs (two slots): the second cannot reach the first.
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		_, err := s.Run(context.Background(), Spec{Argv: []string{"/usr/bin/python3", "-c", listen, "3"}, Stdout: pw})
		pw.Close()
		done <- err
	}()
	if line, err := bufio.NewReader(pr).ReadString('\n'); line != "listening\n" {
		t.Fatalf("listener: %q %v", line, err)
	}
	o := run(t, s, Spec{}, "/usr/bin/python3", "-c", connect)
	if o.stdout != "refused\n" {
		t.Errorf("a concurrent run reached another's listener: %q %q", o.stdout, o.stderr)
	}
	go io.Copy(io.Discard, pr)
	if err := <-done; err != nil {
		t.Error(err)
	}
	// Later runs in the same slot find nothing left behind.
	for range 3 {
		run(t, s, Spec{}, "/usr/bin/python3", "-c", listen, "0")
		if o := run(t, s, Spec{}, "/usr/bin/python3", "-c", connect); o.stdout != "refused\n" {
			t.Errorf("a later run reached an earlier run's listener: %q", o.stdout)
		}
	}
}
