package otlog

import (
	"hash/crc32"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pid1/pid1/test/kit/testutil"

	"github.com/pid1/pid1/internal/fsroot"
	"github.com/pid1/pid1/internal/textot"
)

// workspace is a workspace and a state directory, as pid1 has them.
type workspace struct {
	state string
	ws    *fsroot.Dir
	logs  *testutil.Buffer
}

func newWorkspace(t *testing.T, state string, files map[string]string) *workspace {
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
	return &workspace{state: state, ws: ws, logs: &testutil.Buffer{}}
}

// open opens the workspace's Store, which recovers what is there.
func (w *workspace) open(t *testing.T) *Store {
	t.Helper()
	s, err := Open(w.state, w.ws, slog.New(slog.NewTextHandler(w.logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// crash logs ops on the buffer of path, which was loaded from the text
// disk, and leaves the log as a killed pid1 would: durable, not removed.
func (w *workspace) crash(t *testing.T, path, disk string, ops ...textot.Op) (*Log, string) {
	t.Helper()
	s := w.open(t)
	defer s.Close() // the process ends
	l := s.Create(path, func(uint64, error) {})
	l.Begin(1, []byte(disk), []byte(disk))
	text := disk
	for i, op := range ops {
		var err error
		if text, err = textot.Apply(text, op); err != nil {
			t.Fatal(err)
		}
		l.Append(Entry{Version: uint32(2 + i), Op: op, CRC: crc32.ChecksumIEEE([]byte(text))})
	}
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
	l.io.Lock()
	l.closeFile() // the process ends; the file stays
	l.io.Unlock()
	return l, text
}

func (w *workspace) read(t *testing.T, path string) string {
	t.Helper()
	b, err := w.ws.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func logsIn(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		if !e.IsDir() && e.Name() != lockName {
			names = append(names, e.Name())
		}
	}
	return names
}

var edits = []textot.Op{
	{textot.Skip(6), textot.Insert("edited ✓\n")},
	{textot.Insert("# ")},
	{textot.Skip(2), textot.Delete(3)},
}

// The file still holds what the buffer loaded (it is older than the log):
// it gets the buffer's text, and the log is removed.
func TestRecoveryWritesTheEditsTheFileLacks(t *testing.T) {
	w := newWorkspace(t, t.TempDir(), map[string]string{"src/a.txt": "start\nend\n"})
	_, text := w.crash(t, "src/a.txt", "start\nend\n", edits...)
	s := w.open(t)
	if got := w.read(t, "src/a.txt"); got != text {
		t.Fatalf("recovered %q, want %q", got, text)
	}
	if names := logsIn(t, s.Dir()); len(names) != 0 {
		t.Fatalf("logs left: %v", names)
	}
	if !strings.Contains(w.logs.String(), "recovered the unflushed edits") {
		t.Fatalf("no log line:\n%s", w.logs.String())
	}
}

// A flush that happened before the log was removed: nothing to do.
func TestRecoveryLeavesAFlushedFileAlone(t *testing.T) {
	w := newWorkspace(t, t.TempDir(), map[string]string{"a.txt": "start\nend\n"})
	_, text := w.crash(t, "a.txt", "start\nend\n", edits...)
	w.ws.Write("a.txt", []byte(text))
	before, _, _ := w.ws.Stat("a.txt")
	s := w.open(t)
	after, _, _ := w.ws.Stat("a.txt")
	if got := w.read(t, "a.txt"); got != text || !after.ModTime.Equal(before.ModTime) {
		t.Fatalf("the flushed file was rewritten: %q", got)
	}
	if names := logsIn(t, s.Dir()); len(names) != 0 {
		t.Fatalf("logs left: %v", names)
	}
}

// The file was changed by something else after the log began: the change
// and the edits are merged, as while the buffer is open.
func TestRecoveryMergesAChangeOnDisk(t *testing.T) {
	w := newWorkspace(t, t.TempDir(), map[string]string{"a.txt": "start\nend\n"})
	w.crash(t, "a.txt", "start\nend\n", edits...)
	w.ws.Write("a.txt", []byte("start\nend\nappended by a program\n"))
	w.open(t)
	if got, want := w.read(t, "a.txt"), "# rt\nedited ✓\nend\nappended by a program\n"; got != want {
		t.Fatalf("merged %q, want %q", got, want)
	}
}

// A file removed meanwhile is written back, as closing the buffer would.
func TestRecoveryWritesAMissingFile(t *testing.T) {
	w := newWorkspace(t, t.TempDir(), map[string]string{"a.txt": "start\nend\n"})
	_, text := w.crash(t, "a.txt", "start\nend\n", edits...)
	w.ws.Remove("a.txt")
	w.open(t)
	if got := w.read(t, "a.txt"); got != text {
		t.Fatalf("recovered %q, want %q", got, text)
	}
}

// A log whose last write was cut short keeps every complete record.
func TestRecoveryKeepsWhatPrecedesATornWrite(t *testing.T) {
	for cut := 1; cut < 12; cut++ {
		w := newWorkspace(t, t.TempDir(), map[string]string{"a.txt": "start\nend\n"})
		l, _ := w.crash(t, "a.txt", "start\nend\n", edits...)
		// The last bytes of the last record never reached the disk: the
		// zeros written ahead of the records are still there.
		b, _ := os.ReadFile(l.file)
		clear(b[l.end-int64(cut) : l.end])
		os.WriteFile(l.file, b, 0o600)
		s := w.open(t)
		// The last edit was torn away: the text after the first two.
		if got, want := w.read(t, "a.txt"), "# start\nedited ✓\nend\n"; got != want {
			t.Fatalf("cut %d: recovered %q, want %q", cut, got, want)
		}
		if names := logsIn(t, s.Dir()); len(names) != 0 {
			t.Fatalf("cut %d: logs left: %v", cut, names)
		}
	}
}

// A log that is not usable is set aside with a log line, the file is left
// as it is, and the Store opens.
func TestRecoverySetsAsideWhatItCannotUse(t *testing.T) {
	state := t.TempDir()
	w := newWorkspace(t, state, map[string]string{"a.txt": "start\nend\n", "bin.dat": "start\nend\n"})
	l, _ := w.crash(t, "a.txt", "start\nend\n", edits...)
	damaged, _ := os.ReadFile(l.file)
	damaged[len(magic)+frameHeader+3] ^= 1 // in the base
	os.WriteFile(l.file, damaged, 0o600)
	// A file that changed into something that is not text cannot be merged.
	w.crash(t, "bin.dat", "start\nend\n", edits...)
	w.ws.Write("bin.dat", []byte{0xff, 0xfe, 0})
	// Leftovers of a new log that never took its place are removed.
	os.WriteFile(l.file+tmpSuffix, []byte("half"), 0o600)

	s := w.open(t)
	if got := w.read(t, "a.txt"); got != "start\nend\n" {
		t.Fatalf("a.txt: %q", got)
	}
	if got := w.read(t, "bin.dat"); got != "\xff\xfe\x00" {
		t.Fatalf("bin.dat: %q", got)
	}
	if names := logsIn(t, s.Dir()); len(names) != 0 {
		t.Fatalf("left in place: %v", names)
	}
	if aside := logsIn(t, filepath.Join(s.Dir(), asideDir)); len(aside) != 2 {
		t.Fatalf("set aside: %v", aside)
	}
	out := w.logs.String()
	if strings.Count(out, "set aside a log") != 2 || !strings.Contains(out, "no complete base record") || !strings.Contains(out, "not UTF-8 text") {
		t.Fatalf("log lines:\n%s", out)
	}
}

// Damage after the base (a record that checks out but does not fit): the
// records before it are recovered and the log is set aside.
func TestRecoveryKeepsWhatPrecedesDamage(t *testing.T) {
	w := newWorkspace(t, t.TempDir(), map[string]string{"a.txt": "start\nend\n"})
	l, _ := w.crash(t, "a.txt", "start\nend\n", edits...)
	l.Begin(1, []byte("start\nend\n"), []byte("start\nend\n"))
	l.Append(Entry{Version: 2, Op: edits[0], CRC: crc32.ChecksumIEEE([]byte("start\nedited ✓\nend\n"))})
	l.Append(Entry{Version: 3, Op: edits[1], CRC: 12345})
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
	l.Close()
	s := w.open(t)
	if got := w.read(t, "a.txt"); got != "start\nedited ✓\nend\n" {
		t.Fatalf("recovered %q", got)
	}
	if aside := logsIn(t, filepath.Join(s.Dir(), asideDir)); len(aside) != 1 {
		t.Fatalf("set aside: %v", aside)
	}
}

// Two workspaces sharing a state directory, each with a buffer of the same
// path: each recovers its own log and never sees the other's.
func TestWorkspacesSharingAStateDirectoryKeepTheirLogsApart(t *testing.T) {
	state := t.TempDir()
	one := newWorkspace(t, state, map[string]string{"a.txt": "start\nend\n"})
	two := newWorkspace(t, state, map[string]string{"a.txt": "start\nend\n"})
	_, text := one.crash(t, "a.txt", "start\nend\n", edits...)
	_, text2 := two.crash(t, "a.txt", "start\nend\n", edits[:1]...)
	s1 := one.open(t)
	if got := two.read(t, "a.txt"); got != "start\nend\n" {
		t.Fatalf("the other workspace's file changed: %q", got)
	}
	if got := one.read(t, "a.txt"); got != text {
		t.Fatalf("recovered %q", got)
	}
	s2 := two.open(t)
	if got := two.read(t, "a.txt"); got != text2 {
		t.Fatalf("recovered %q", got)
	}
	if s1.Dir() == s2.Dir() || filepath.Dir(s1.Dir()) != filepath.Dir(s2.Dir()) {
		t.Fatalf("log directories %s and %s", s1.Dir(), s2.Dir())
	}
}

// Only the newest set-aside logs are kept.
func TestSetAsideIsBounded(t *testing.T) {
	w := newWorkspace(t, t.TempDir(), nil)
	s := w.open(t)
	s.Close()
	for i := range keepAside + 5 {
		name := filepath.Join(s.Dir(), strings.Repeat("0", 32)[:16]+"-"+strings.Repeat("0", 15)+string(rune('a'+i%26))+"-"+strings.Repeat("0", 5)+string(rune('a'+i/26))+logSuffix)
		os.WriteFile(name, []byte("junk"), 0o600)
	}
	s = w.open(t)
	if aside := logsIn(t, filepath.Join(s.Dir(), asideDir)); len(aside) != keepAside {
		t.Fatalf("%d set aside", len(aside))
	}
}

// While one Store holds a workspace's logs (a pid1 serving it), another
// recovers none of them: they are live, not a crash's leftovers.
func TestASecondStoreLeavesLiveLogsAlone(t *testing.T) {
	w := newWorkspace(t, t.TempDir(), map[string]string{"a.txt": "start\nend\n"})
	live := w.open(t)
	l := live.Create("a.txt", func(uint64, error) {})
	l.Begin(1, []byte("start\nend\n"), []byte("start\nend\n"))
	l.Append(Entry{Version: 2, Op: edits[0], CRC: crc32.ChecksumIEEE([]byte("start\nedited ✓\nend\n"))})
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	w.open(t)
	if got := w.read(t, "a.txt"); got != "start\nend\n" {
		t.Fatalf("a live log was recovered: %q", got)
	}
	if names := logsIn(t, live.Dir()); len(names) != 1 || !strings.Contains(w.logs.String(), "another process holds the logs") {
		t.Fatalf("logs %v; log lines:\n%s", names, w.logs.String())
	}
}
