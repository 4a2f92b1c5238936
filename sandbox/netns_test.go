//go:build linux

package sandbox

import (
	"strings"
	"testing"
)

// netState prints the run's network namespace and lo's packet counters
// as the run finds them.
const netState = `readlink /proc/self/ns/net; awk '$1 == "lo:" {print "lo", $3, $11}' /proc/net/dev`

func netRun(t *testing.T, s *Sandbox, script string) (ns, lo, rest string) {
	t.Helper()
	o := sh(t, s, netState+"; "+script)
	expect(t, o, Exited, 0)
	lines := strings.SplitN(o.stdout, "\n", 3)
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "net:[") {
		t.Fatalf("run printed %q (stderr %q)", o.stdout, o.stderr)
	}
	if len(lines) == 3 {
		rest = lines[2]
	}
	return lines[0], lines[1], rest
}

// A run whose loopback carried nothing leaves its network namespace to the
// slot's next run; every run finds lo as new.
func TestNetNSKeptWhenUntouched(t *testing.T) {
	s := newTestSandbox(t, Config{MaxRuns: 1})
	seen := map[string]int{}
	for range 4 {
		ns, lo, _ := netRun(t, s, "true")
		if lo != "lo 0 0" {
			t.Errorf("a run found lo at %q, want no packets", lo)
		}
		seen[ns]++
	}
	if !s.native.Load() {
		t.Skip("the C helper is not in use: namespaces are not kept")
	}
	if len(seen) > 2 { // the first run does not take the native path
		t.Errorf("4 runs that sent nothing used %d network namespaces: %v", len(seen), seen)
	}
}

// A run that used its loopback does not pass its namespace on: a socket it
// left in TIME_WAIT does not keep the next run from binding the port, and
// the next run's lo counts nothing.
func TestNetNSDroppedAfterTraffic(t *testing.T) {
	s := newTestSandbox(t, Config{MaxRuns: 1})
	netRun(t, s, "true")
	const timeWait = `/usr/bin/python3 -c '
import socket
srv = socket.socket(); srv.bind(("127.0.0.1", 5556)); srv.listen(1)
c = socket.create_connection(("127.0.0.1", 5556)); a, _ = srv.accept()
a.close(); srv.close(); c.recv(1); c.close()  # the server side closes first: TIME_WAIT on 5556
print(open("/proc/net/tcp").read().count(":15B4 "))'`
	ns1, _, waiting := netRun(t, s, timeWait)
	if waiting == "0\n" {
		t.Fatalf("the first run left no socket in TIME_WAIT: the test proves nothing")
	}
	const bind = `/usr/bin/python3 -c '
import socket
s = socket.socket(); s.bind(("127.0.0.1", 5556)); s.listen(1); print("bound")'`
	ns2, lo, bound := netRun(t, s, bind)
	if bound != "bound\n" {
		t.Errorf("the run after one with traffic printed %q", bound)
	}
	if s.native.Load() && ns1 == ns2 {
		t.Errorf("a run that made connections passed its network namespace %s on", ns1)
	}
	if lo != "lo 0 0" {
		t.Errorf("the run after one with traffic found lo at %q", lo)
	}
}
