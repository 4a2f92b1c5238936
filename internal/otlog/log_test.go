package otlog

import (
	"context"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pid1/pid1/internal/fsroot"
	"github.com/pid1/pid1/internal/textot"
)

// reports records what a Log's callback was told.
type reports struct {
	mu   sync.Mutex
	seqs []uint64
	errs []error
	wake chan struct{}
}

func newReports() *reports { return &reports{wake: make(chan struct{}, 1)} }

func (r *reports) report(seq uint64, err error) {
	r.mu.Lock()
	r.seqs, r.errs = append(r.seqs, seq), append(r.errs, err)
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

func (r *reports) last() (uint64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.seqs) == 0 {
		return 0, nil
	}
	return r.seqs[len(r.seqs)-1], r.errs[len(r.errs)-1]
}

// waitFor waits until seq was reported durable.
func (r *reports) waitFor(t *testing.T, seq uint64) {
	t.Helper()
	for {
		if got, err := r.last(); err != nil {
			t.Fatal(err)
		} else if got >= seq {
			return
		}
		select {
		case <-r.wake:
		case <-t.Context().Done():
			t.Fatal("never reported")
		}
	}
}

func newStore(t *testing.T, files map[string]string) (*Store, *fsroot.Dir) {
	t.Helper()
	ws, err := fsroot.Open(filepath.Join(t.TempDir(), "ws"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	for p, text := range files {
		if err := ws.Write(p, []byte(text)); err != nil {
			t.Fatal(err)
		}
	}
	s, err := Open(filepath.Join(t.TempDir(), "state"), ws, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, ws
}

func parseFile(t *testing.T, l *Log) Parsed {
	t.Helper()
	b, err := os.ReadFile(l.file)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func entry(v uint32, text string, op ...textot.Component) Entry {
	return Entry{Version: v, Op: textot.Normalize(op), CRC: crc32.ChecksumIEEE([]byte(text))}
}

// Every record handed in before a write is made durable by that one
// write: with the writer not running, a hundred appends and one Sync are
// one fsync, and the callback hears of the last record once.
func TestOneSyncCoversEverythingHandedIn(t *testing.T) {
	s, _ := newStore(t, nil)
	r := newReports()
	l := s.Create("a.txt", r.report)
	l.Begin(1, []byte("a"), []byte("a"))
	text := "a"
	for v := uint32(2); v <= 101; v++ {
		text += "b"
		l.Append(entry(v, text, textot.Skip(len(text)-1), textot.Insert("b")))
	}
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
	if l.Syncs() != 1 || len(r.seqs) != 1 || r.seqs[0] != 101 {
		t.Fatalf("%d syncs, reports %v", l.Syncs(), r.seqs)
	}
	p := parseFile(t, l)
	if _, got, n, err := p.Replay(); err != nil || n != 100 || string(got) != text {
		t.Fatalf("replayed %d entries to %q: %v", n, got, err)
	}
	if err := l.Sync(); err != nil || l.Syncs() != 1 {
		t.Fatalf("a Sync with nothing to write wrote: %d syncs, %v", l.Syncs(), err)
	}
	l.Close()
}

// The writer goroutine writes as records come, and Close waits for it and
// writes what is left.
func TestRunWritesAndCloseFinishes(t *testing.T) {
	s, _ := newStore(t, nil)
	r := newReports()
	l := s.Create("dir/with/slashes.txt", r.report)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go l.Run(ctx)
	r.waitFor(t, l.Begin(0, nil, nil))
	text := ""
	for v := uint32(1); v <= 50; v++ {
		text += "x"
		r.waitFor(t, l.Append(entry(v, text, textot.Skip(len(text)-1), textot.Insert("x"))))
	}
	text += "y"
	l.Append(entry(51, text, textot.Skip(50), textot.Insert("y")))
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(l.file) != s.Dir() {
		t.Fatalf("a path with slashes made the log %s, outside %s", l.file, s.Dir())
	}
	p := parseFile(t, l)
	if _, got, n, err := p.Replay(); err != nil || n != 51 || string(got) != text || p.Base.Path != "dir/with/slashes.txt" {
		t.Fatalf("replayed %d entries of %s to %q: %v (parsed %d, torn %d)", n, p.Base.Path, got, err, len(p.Entries), p.Torn)
	}
}

// Begin replaces the whole log by rename; Drop removes it.
func TestBeginReplacesAndDropRemoves(t *testing.T) {
	s, _ := newStore(t, nil)
	l := s.Create("a.txt", newReports().report)
	l.Begin(1, []byte("old"), []byte("old"))
	l.Append(entry(2, "old!", textot.Skip(3), textot.Insert("!")))
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
	l.Append(entry(3, "old!!", textot.Skip(4), textot.Insert("!")))
	l.Begin(3, []byte("old"), []byte("old!!"))
	l.Append(entry(4, "old!!?", textot.Skip(5), textot.Insert("?")))
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
	p := parseFile(t, l)
	if p.Base.Version != 3 || string(p.Base.Text) != "old!!" || len(p.Entries) != 1 || p.Entries[0].Version != 4 {
		t.Fatalf("after a new base: %+v", p)
	}
	if l.BaseBytes() == 0 || l.EntryBytes() == 0 {
		t.Fatalf("sizes: base %d, entries %d", l.BaseBytes(), l.EntryBytes())
	}
	names, _ := os.ReadDir(s.Dir())
	if len(names) != 2 { // the log and the lock
		t.Fatalf("the log directory holds %v", names)
	}
	l.Drop()
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(l.file); !os.IsNotExist(err) {
		t.Fatalf("after Drop: %v", err)
	}
	l.Close()
}

// A write that fails is reported; nothing more is appended to that file
// (it may end in a torn frame) until a new base replaces it.
func TestAFailedWriteIsReportedAndHealedByABase(t *testing.T) {
	s, _ := newStore(t, nil)
	r := newReports()
	l := s.Create("a.txt", r.report)
	l.Begin(1, []byte("a"), []byte("a"))
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
	l.f.Close() // the disk fails under the writer
	seq := l.Append(entry(2, "ab", textot.Skip(1), textot.Insert("b")))
	if err := l.Sync(); err == nil {
		t.Fatal("a write to a closed file succeeded")
	}
	if got, err := r.last(); got != seq || err == nil {
		t.Fatalf("reported %d, %v", got, err)
	}
	if err := l.Sync(); err == nil {
		t.Fatal("a Sync with nothing new to write says the failed record is durable")
	}
	l.Append(entry(3, "abc", textot.Skip(2), textot.Insert("c")))
	if err := l.Sync(); !errors.Is(err, errBroken) {
		t.Fatalf("an append after a failure: %v", err)
	}
	l.Begin(3, []byte("a"), []byte("abc"))
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
	if p := parseFile(t, l); string(p.Base.Text) != "abc" {
		t.Fatalf("after a new base: %+v", p.Base)
	}
	// A state directory that vanished: the new file cannot be made.
	os.RemoveAll(s.Dir())
	l.Begin(3, []byte("a"), []byte("abc"))
	if err := l.Sync(); err == nil {
		t.Fatal("a base written into a removed directory")
	}
	l.Close()
}

// Records are written over zeros written ahead of them, so most
// fdatasyncs need not record a new size; the file grows by a step of
// zeros at a time, and parses whole at every size.
func TestRecordsGoOverZeros(t *testing.T) {
	s, _ := newStore(t, nil)
	l := s.Create("a.txt", newReports().report)
	l.Begin(1, nil, nil)
	text := ""
	line := strings.Repeat("ab", 500) // 1 KB
	var sizes []int64
	for v := uint32(2); v <= 201; v++ {
		l.Append(entry(v, text+line, textot.Skip(len(text)), textot.Insert(line)))
		text += line
		if v%10 == 0 {
			if err := l.Sync(); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(l.file)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Size() < l.end || fi.Size() > l.end+2*int64(len(zeros)) {
				t.Fatalf("%d bytes of records in a file of %d", l.end, fi.Size())
			}
			if len(sizes) == 0 || sizes[len(sizes)-1] != fi.Size() {
				sizes = append(sizes, fi.Size())
			}
		}
		if v%100 == 0 {
			p := parseFile(t, l)
			if _, got, n, err := p.Replay(); err != nil || n != int(v-1) || string(got) != text || p.Torn != 0 {
				t.Fatalf("version %d: replayed %d entries, %d torn: %v", v, n, p.Torn, err)
			}
		}
	}
	if len(sizes) < 2 || len(sizes) > 5 {
		t.Fatalf("the file's sizes were %v: it should grow a step at a time", sizes)
	}
	l.Close()
}

// With a sync interval, a write is reported as soon as the file holds it
// (a killed pid1 loses nothing), and its fsync follows: when the interval
// ends, or at once when something asks for Sync (a flush does before it
// writes the file).
func TestASyncIntervalReportsWritesBeforeTheirFsync(t *testing.T) {
	for _, c := range []struct {
		name  string
		every time.Duration
	}{{"fsync when asked", time.Hour}, {"fsync when the interval ends", 10 * time.Millisecond}} {
		t.Run(c.name, func(t *testing.T) {
			s, _ := newStore(t, nil)
			s.SetSyncInterval(c.every)
			r := newReports()
			l := s.Create("a.txt", r.report)
			var wg sync.WaitGroup
			ctx, cancel := context.WithCancel(context.Background())
			wg.Go(func() { l.Run(ctx) })
			defer func() { cancel(); wg.Wait(); l.Close() }()

			r.waitFor(t, l.Begin(1, []byte("a"), []byte("a")))
			if l.Syncs() != 1 {
				t.Fatalf("a new base: %d fsyncs, want 1 (it replaces the file durably)", l.Syncs())
			}
			text := "a"
			var seq uint64
			for v := uint32(2); v <= 11; v++ {
				text += "b"
				seq = l.Append(entry(v, text, textot.Skip(len(text)-1), textot.Insert("b")))
			}
			r.waitFor(t, seq)
			if _, got, n, err := parseFile(t, l).Replay(); err != nil || n != 10 || string(got) != text {
				t.Fatalf("reported, yet the file replays %d entries to %q: %v", n, got, err)
			}
			if c.every == time.Hour {
				if l.Syncs() != 1 {
					t.Fatalf("%d fsyncs before the interval ended", l.Syncs())
				}
				if err := l.Sync(); err != nil || l.Syncs() != 2 {
					t.Fatalf("Sync: %d fsyncs, %v", l.Syncs(), err)
				}
				return
			}
			for deadline := time.Now().Add(10 * time.Second); l.Syncs() < 2; time.Sleep(5 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatal("the interval ended with no fsync")
				}
			}
			if err := l.Sync(); err != nil || l.Syncs() != 2 {
				t.Fatalf("a Sync after the interval's fsync: %d fsyncs, %v", l.Syncs(), err)
			}
		})
	}
}
