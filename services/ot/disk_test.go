package ot_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	otsvc "github.com/pid1/pid1/services/ot"
	"github.com/pid1/pid1/test/kit/servicetest"
)

// A change made on disk by something else (a program, the files service)
// becomes a minimal op from user 0.
func TestChangeOnDiskBecomesAnOp(t *testing.T) {
	text := strings.Repeat("line of text\n", 100)
	url, ws := serve(t, map[string]string{"big.txt": text}, otsvc.Limits{})
	ada, _ := open(t, url, "ada", "ot:big.txt")
	exchange(t, ada, linkCmd("big.txt"))
	path := filepath.Join(ws.Path(), "big.txt")
	changed := strings.Replace(text, "line of text\n", "line of TEXT\n", 1)
	if err := os.WriteFile(path, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	p := packet(t, ada)
	if p.GetVersion() != 2 || p.GetUserId() != 0 || opString(t, p) != `[8,{"d":4},"TEXT"]` || p.GetCrc32() != crc(changed) {
		t.Fatalf("disk change: %v (%s)", p, opString(t, p))
	}
	// Our own flush is not mistaken for a change.
	exchange(t, ada, flushCmd())
	servicetest.Next(t, ada) // otFlushNotification
	servicetest.Quiet(t, ada, 300*time.Millisecond)
}

// Edits not yet flushed survive a change on disk: both end up in the
// buffer.
func TestChangeOnDiskMergesWithUnflushedEdits(t *testing.T) {
	url, ws := serve(t, map[string]string{"main.py": "def f():\n    return 1\n"}, otsvc.Limits{})
	ada, _ := open(t, url, "ada", "ot:main.py")
	exchange(t, ada, linkCmd("main.py"))
	commit(t, ada, 1, ins("# edited in the editor\n")) // not flushed
	path := filepath.Join(ws.Path(), "main.py")
	if err := os.WriteFile(path, []byte("def f():\n    return 2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := packet(t, ada)
	want := "# edited in the editor\ndef f():\n    return 2\n"
	if p.GetVersion() != 3 || p.GetUserId() != 0 || p.GetCrc32() != crc(want) {
		t.Fatalf("merge: %v (%s)", p, opString(t, p))
	}
	exchange(t, ada, flushCmd())
	if b, _ := os.ReadFile(path); string(b) != want {
		t.Fatalf("flushed: %q", b)
	}
}

// A linked file that disappears or stops being text leaves the buffer as
// it is; the next flush writes it back.
func TestRemovedOrBinaryFileKeepsTheBuffer(t *testing.T) {
	url, ws := serve(t, map[string]string{"f.txt": "keep me"}, otsvc.Limits{})
	ada, _ := open(t, url, "ada", "ot:f.txt")
	exchange(t, ada, linkCmd("f.txt"))
	path := filepath.Join(ws.Path(), "f.txt")
	os.Remove(path)
	servicetest.Quiet(t, ada, 300*time.Millisecond)
	os.WriteFile(path, []byte("\xff\xfe binary"), 0o644)
	if e := servicetest.Next(t, ada).GetError(); e != "the linked file changed on disk but cannot be loaded: f.txt is not UTF-8 text; ot edits text; the buffer keeps its text" {
		t.Fatalf("binary on disk: %q", e)
	}
	exchange(t, ada, flushCmd())
	if b, _ := os.ReadFile(path); string(b) != "keep me" {
		t.Fatalf("flushed: %q", b)
	}
}
