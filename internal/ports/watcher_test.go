package ports_test

import (
	"fmt"
	"net"
	"os/exec"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/pid1/pid1/internal/ports"
)

// freePort is a port nothing listens on at the moment.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// A Python http.server this process starts (through sh, so the server
// is a grandchild) is reported open, with its pid, command and command
// line, and closed when it is killed; this process's own listener is
// never reported.
func TestWatcher(t *testing.T) {
	own, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer own.Close()
	changes := make(chan ports.Port, 16)
	w := ports.Start(ports.Config{Interval: 50 * time.Millisecond, Changed: func(p ports.Port) { changes <- p }})
	defer w.Close()

	port := freePort(t)
	cmd := exec.Command("sh", "-c", fmt.Sprintf("python3 -m http.server --bind 127.0.0.1 %d >/dev/null 2>&1; true", port))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var opened ports.Port
	select {
	case opened = <-changes:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("no change within 20 s of starting http.server")
	}
	if opened.Closed || opened.Addr.String() != "127.0.0.1:"+strconv.Itoa(port) || opened.Comm != "python3" ||
		!slices.Equal(opened.Cmdline[1:], []string{"-m", "http.server", "--bind", "127.0.0.1", strconv.Itoa(port)}) ||
		len(opened.Chain) != 2 || opened.Chain[1] != cmd.Process.Pid || opened.Chain[0] != opened.PID {
		t.Fatalf("opened: %+v (sh is %d)", opened, cmd.Process.Pid)
	}
	if got := w.Open(); len(got) != 1 || got[0].PID != opened.PID {
		t.Fatalf("Open: %+v", got)
	}
	exec.Command("kill", strconv.Itoa(opened.PID)).Run()
	cmd.Wait()
	select {
	case closed := <-changes:
		if !closed.Closed || closed.Addr != opened.Addr || closed.PID != opened.PID {
			t.Fatalf("closed: %+v", closed)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no change within 20 s of killing http.server")
	}
	if got := w.Open(); len(got) != 0 {
		t.Fatalf("Open after the close: %+v", got)
	}
	select {
	case p := <-changes:
		t.Fatalf("a change nobody made: %+v", p)
	case <-time.After(200 * time.Millisecond):
	}
}
