package termed

import (
	"strings"
	"testing"
	"time"
)

// TestReadNowTakesWhatIsThereWithoutWaiting writes to a real pty's tty
// side and checks that readNow returns all of it from the master side,
// and returns at once, with nothing, when nothing is waiting.
func TestReadNowTakesWhatIsThereWithoutWaiting(t *testing.T) {
	master, tty, err := OpenPTY()
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	raw, err := master.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	tm := &Term{master: master, raw: raw}
	defer master.Close()
	buf := make([]byte, 1<<16)

	start := time.Now()
	if n := tm.readNow(buf); n != 0 {
		t.Fatalf("readNow on an empty pty returned %d bytes", n)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("readNow on an empty pty waited %v", d)
	}

	// More than one read's worth (the line discipline hands out at most
	// 4 KiB per read), all in the kernel before readNow is called.
	want := strings.Repeat("0123456789abcde\n", 600) // 9,600 bytes
	if _, err := tty.WriteString(want); err != nil {
		t.Fatal(err)
	}
	// The output processing turns each \n into \r\n.
	wantOut := strings.ReplaceAll(want, "\n", "\r\n")
	got := ""
	for deadline := time.Now().Add(5 * time.Second); len(got) < len(wantOut) && time.Now().Before(deadline); {
		got += string(buf[:tm.readNow(buf)])
		time.Sleep(time.Millisecond)
	}
	if got != wantOut {
		t.Fatalf("read %d bytes, want %d", len(got), len(wantOut))
	}

	// A deadline left in the past by an earlier gather does not stop it.
	master.SetReadDeadline(time.Now().Add(-time.Second))
	tty.WriteString("after\n")
	time.Sleep(50 * time.Millisecond)
	if n := tm.readNow(buf); string(buf[:n]) != "after\r\n" {
		t.Fatalf("after a past deadline, readNow read %q", buf[:n])
	}
}
