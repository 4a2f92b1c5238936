//go:build linux

package reaper

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strconv"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// openPTY returns a pty master and its slave, or skips.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no ptys: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		m.Close()
		t.Skipf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		m.Close()
		t.Skipf("ptsname: %v", err)
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		t.Skipf("open slave: %v", err)
	}
	return m, s
}

// TestControllingTerminal: Setsid+Setctty give the child the pty as its
// controlling terminal (/dev/tty opens), which is what the shell service
// needs instead of creack/pty.Start (and its exec.Cmd.Wait).
func TestControllingTerminal(t *testing.T) {
	r := newTestReaper(t)
	master, slave := openPTY(t)
	defer master.Close()
	p, err := r.Spawn(Spec{
		Path:    lookPath(t, "sh"),
		Args:    []string{"sh", "-c", `echo ctty-ok > /dev/tty && tty`},
		Stdin:   slave,
		Stdout:  slave,
		Stderr:  slave,
		Setsid:  true,
		Setctty: true,
		Ctty:    0,
	})
	slave.Close()
	if err != nil {
		t.Fatal(err)
	}
	// Reading the master after the last slave fd closes gives EIO.
	out, err := io.ReadAll(master)
	if err != nil && !errors.Is(err, syscall.EIO) {
		t.Fatal(err)
	}
	st, err := p.Wait(waitCtx(t))
	if err != nil || st.Code != 0 {
		t.Fatalf("status %v err %v, output %q", st, err, out)
	}
	if !bytes.Contains(out, []byte("ctty-ok")) || !bytes.Contains(out, []byte("/dev/pts/")) {
		t.Errorf("output %q lacks ctty-ok and the pts name", out)
	}
}
