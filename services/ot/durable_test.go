package ot_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pid1/pid1/internal/fswatch"
	"github.com/pid1/pid1/internal/otlog"
	"github.com/pid1/pid1/internal/textot"
	otsvc "github.com/pid1/pid1/services/ot"
	"github.com/pid1/pid1/test/kit/otclient"
	"github.com/pid1/pid1/test/kit/servicetest"
)

// logOf reads the one op log in the store's directory; ok is false when
// there is none. size is that of its records, without the zeros the file
// is written with ahead of them.
func logOf(t *testing.T, logs *otlog.Store) (p otlog.Parsed, size int, ok bool) {
	t.Helper()
	es, err := os.ReadDir(logs.Dir())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		if strings.HasSuffix(e.Name(), ".log") {
			names = append(names, e.Name())
		}
	}
	switch len(names) {
	case 0:
		return otlog.Parsed{}, 0, false
	case 1:
	default:
		t.Fatalf("%d logs: %v", len(names), names)
	}
	b, err := os.ReadFile(filepath.Join(logs.Dir(), names[0]))
	if err != nil {
		t.Fatal(err)
	}
	if p, err = otlog.Parse(b); err != nil {
		t.Fatal(err)
	}
	size = len(bytes.TrimRight(b, "\x00"))
	if len(b) > size+2*128<<10 {
		t.Fatalf("the log file is %d bytes for %d of records", len(b), size)
	}
	return p, size, true
}

// replayed is what a log recovers: the text on disk and the buffer's.
func replayed(t *testing.T, p otlog.Parsed) (disk, text string) {
	t.Helper()
	d, x, n, err := p.Replay()
	if err != nil || n != len(p.Entries) || p.Torn != 0 {
		t.Fatalf("replay: %d of %d entries, %d torn bytes: %v", n, len(p.Entries), p.Torn, err)
	}
	return string(d), string(x)
}

// When a version's ack (its broadcast, then ok) arrives, the version is in
// the op log on disk. A buffer that matches its file has no log: none
// after the link, none after a flush; the next op begins one from the
// flushed text.
func TestAcknowledgedVersionsAreInTheLog(t *testing.T) {
	url, _, logs := serveLogged(t, map[string]string{"notes/a.txt": "hello\n"}, otsvc.Limits{})
	ada, _ := open(t, url, "ada", "ot:notes/a.txt")
	exchange(t, ada, linkCmd("notes/a.txt"))
	if _, _, ok := logOf(t, logs); ok {
		t.Fatal("a log before any edit")
	}
	text := "hello\n"
	for v := uint32(1); v <= 30; v++ {
		p := commit(t, ada, v, skip(uint32(len([]rune(text)))), ins("é"))
		text += "é"
		log, _, ok := logOf(t, logs)
		if !ok {
			t.Fatalf("version %d acknowledged with no log", p.GetVersion())
		}
		disk, got := replayed(t, log)
		if got != text || disk != "hello\n" || log.Base.Path != "notes/a.txt" || log.Entries[len(log.Entries)-1].Version != p.GetVersion() {
			t.Fatalf("version %d acknowledged; the log replays to version %d, %q on disk, %q in the buffer",
				p.GetVersion(), log.Entries[len(log.Entries)-1].Version, disk, got)
		}
	}
	if r := servicetest.Request(t, ada, flushCmd()); r.GetOk() == nil {
		t.Fatalf("flush: %v", r)
	}
	// The writer removes the log after the ok (a crash in between finds
	// a log whose last text is the file's, which recovery leaves alone).
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if _, _, ok := logOf(t, logs); !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the log outlived a flush")
		}
	}
	commit(t, ada, 31, ins("!"))
	log, _, _ := logOf(t, logs)
	if disk, got := replayed(t, log); disk != text || got != "!"+text || log.Base.Version != 31 {
		t.Fatalf("after the flush the log begins at %d with %q on disk and replays to %q", log.Base.Version, disk, got)
	}
}

// The log starts over from a new base once its entries outgrow the bound,
// so it stays within about twice the texts plus the bound, and still
// replays to the buffer's text.
func TestTheLogIsBounded(t *testing.T) {
	const bound = 4096
	start := strings.Repeat("0123456789abcdef\n", 60) // about 1 KiB
	url, _, logs := serveLogged(t, map[string]string{"a.txt": start}, otsvc.Limits{LogBytes: bound})
	ada, _ := open(t, url, "ada", "ot:a.txt")
	exchange(t, ada, linkCmd("a.txt"))
	text, largest, bases := start, 0, map[uint32]bool{}
	for v := uint32(1); v <= 1500; v++ {
		at := uint32(v*7) % uint32(len(text))
		commit(t, ada, v, skip(at), ins("new text"))
		text = text[:at] + "new text" + text[at:]
		if v%50 != 0 {
			continue
		}
		log, size, _ := logOf(t, logs)
		if _, got := replayed(t, log); got != text {
			t.Fatalf("version %d: the log replays to a different text", v+1)
		}
		// A base holds both texts; the entries after it, at most the
		// bound or the base's size, plus the last entry.
		if limit := 2*(2*len(text)+200) + bound; size > limit {
			t.Fatalf("version %d: the log is %d bytes, over %d", v+1, size, limit)
		}
		largest, bases[log.Base.Version] = max(largest, size), true
	}
	if len(bases) < 3 {
		t.Fatalf("the log started over only %d times", len(bases))
	}
	t.Logf("text %d bytes; largest log %d bytes; %d bases seen", len(text), largest, len(bases))
}

// A change of the file on disk, merged into a buffer with unflushed edits,
// is logged with the new text on disk, so recovery can tell it from the
// edits.
func TestAChangeOnDiskIsLogged(t *testing.T) {
	url, ws, logs := serveLogged(t, map[string]string{"a.txt": "one\n"}, otsvc.Limits{})
	ada, _ := open(t, url, "ada", "ot:a.txt")
	exchange(t, ada, linkCmd("a.txt"))
	commit(t, ada, 1, ins("zero\n"))
	os.WriteFile(filepath.Join(ws.Path(), "a.txt"), []byte("one\ntwo\n"), 0o644)
	if p := packet(t, ada); p.GetUserId() != 0 || p.GetVersion() != 3 {
		t.Fatalf("the change on disk: %v", p)
	}
	log, _, _ := logOf(t, logs)
	disk, text := replayed(t, log)
	if disk != "one\ntwo\n" || text != "zero\none\ntwo\n" || log.Entries[len(log.Entries)-1].Disk == nil {
		t.Fatalf("the log replays to %q on disk and %q in the buffer", disk, text)
	}
}

// Shutting down with a linked file that cannot be written keeps the log
// whole; the next start writes the edits once the file can be.
func TestAFailedFlushAtShutdownKeepsTheLog(t *testing.T) {
	ws := servicetest.Workspace(t, map[string]string{"a.txt": "one\n"})
	state := t.TempDir()
	logs, err := otlog.Open(state, ws, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := fswatch.NewWatcher(ws, nil)
	defer w.Close()
	hub, url := servicetest.ServeHub(t, otsvc.Descriptor(otsvc.Config{Dir: ws, Watcher: w, Log: logs}))
	ada, _ := open(t, url, "ada", "ot:a.txt")
	exchange(t, ada, linkCmd("a.txt"))
	commit(t, ada, 1, skip(4), ins("two\n"))
	commit(t, ada, 2, skip(8), ins("three\n"))
	// The file becomes a directory that holds something: no rename can
	// replace it.
	path := filepath.Join(ws.Path(), "a.txt")
	os.Remove(path)
	os.MkdirAll(filepath.Join(path, "in the way"), 0o755)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	hub.Shutdown(ctx)
	log, _, ok := logOf(t, logs)
	if !ok {
		t.Fatal("no log after a failed flush")
	}
	if _, text := replayed(t, log); text != "one\ntwo\nthree\n" {
		t.Fatalf("the log replays to %q", text)
	}
	os.RemoveAll(path)
	logs.Close() // pid1 ends
	again, err := otlog.Open(state, ws, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if b, _ := os.ReadFile(path); string(b) != "one\ntwo\nthree\n" {
		t.Fatalf("recovered %q", b)
	}
}

// Output waits for the op log, but never reaches a session out of order:
// sessions attaching while editors keep several ops in flight each get
// their otstatus first, then every later version exactly once, in order.
func TestNewcomersSeeEachVersionOnceWhileOpsAwaitTheLog(t *testing.T) {
	url, _ := serve(t, map[string]string{"doc.txt": "shared\n"}, otsvc.Limits{})
	linker, _ := open(t, url, "linker", "ot:doc.txt")
	exchange(t, linker, linkCmd("doc.txt"))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var editors []*otclient.Editor
	for i := range 3 {
		ch, st := open(t, url, fmt.Sprintf("editor%d", i), "ot:doc.txt")
		e, err := otclient.New(ch, st)
		if err != nil {
			t.Fatal(err)
		}
		editors = append(editors, e)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				if err := e.EditWith(ctx, func(l int) textot.Op {
					return textot.Normalize(textot.Op{textot.Skip(n % (l + 1)), textot.Insert("x")})
				}); err != nil {
					t.Error(err)
					return
				}
				time.Sleep(200 * time.Microsecond)
			}
		}()
	}
	for i := range 40 {
		ch := servicetest.Open(t, url(fmt.Sprintf("newcomer%d", i)), "ot", "ot:doc.txt")
		first := servicetest.Next(t, ch)
		st := first.GetOtstatus()
		if st == nil {
			t.Fatalf("newcomer %d: the first command is %v, not otstatus", i, first)
		}
		want := st.GetVersion() + 1
		for want <= st.GetVersion()+3 {
			c := servicetest.Next(t, ch)
			if c.GetOt() == nil {
				continue // a cursor or a flush notification
			}
			if c.GetOt().GetVersion() != want {
				t.Fatalf("newcomer %d attached at version %d and then got version %d, not %d", i, st.GetVersion(), c.GetOt().GetVersion(), want)
			}
			want++
		}
	}
	close(stop)
	wg.Wait()
	for i, e := range editors {
		if err := e.WaitSynced(ctx); err != nil {
			t.Fatalf("editor %d: %v", i, err)
		}
	}
}
