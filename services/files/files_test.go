package files_test

import (
	"bytes"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/internal/fsroot"
	"github.com/pid1/pid1/services/files"
	"github.com/pid1/pid1/test/kit/servicetest"
)

func serve(t *testing.T) (url func(string) string, dir string) {
	t.Helper()
	dir = t.TempDir()
	return serveDir(t, dir), dir
}

func serveDir(t *testing.T, dir string) func(string) string {
	t.Helper()
	d, err := fsroot.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return servicetest.Serve(t, files.Descriptors(files.Config{Dir: d, MaxTransfer: 64 << 20})...)
}

func file(p string) *api.File { return &api.File{Path: p} }

func read(p string) *api.Command   { return &api.Command{Body: &api.Command_Read{Read: file(p)}} }
func remove(p string) *api.Command { return &api.Command{Body: &api.Command_Remove{Remove: file(p)}} }
func tryRemove(p string) *api.Command {
	return &api.Command{Body: &api.Command_TryRemove{TryRemove: file(p)}}
}
func mkdir(p string) *api.Command { return &api.Command{Body: &api.Command_Mkdir{Mkdir: file(p)}} }
func readdir(p string) *api.Command {
	return &api.Command{Body: &api.Command_Readdir{Readdir: file(p)}}
}
func stat(p string) *api.Command { return &api.Command{Body: &api.Command_Stat{Stat: file(p)}} }
func write(p, content string) *api.Command {
	return &api.Command{Body: &api.Command_Write{Write: &api.File{Path: p, Content: []byte(content)}}}
}
func move(from, to string) *api.Command {
	return &api.Command{Body: &api.Command_Move{Move: &api.Move{OldPath: from, NewPath: to}}}
}

func ok(t *testing.T, ch *client.Channel, cmd *api.Command) *api.Command {
	t.Helper()
	r := servicetest.Request(t, ch, cmd)
	if r.GetError() != "" {
		t.Fatalf("%v: error %q", cmd, r.GetError())
	}
	return r
}

func fails(t *testing.T, ch *client.Channel, cmd *api.Command, want string) {
	t.Helper()
	r := servicetest.Request(t, ch, cmd)
	if r.GetError() != want {
		t.Fatalf("%v: got %v, want error %q", cmd, r, want)
	}
}

func TestOperations(t *testing.T) {
	url, dir := serve(t)
	ch := servicetest.Open(t, url("ada"), "files", "")
	ok(t, ch, write("with_that_says_hi", "hi"))
	if b, _ := os.ReadFile(filepath.Join(dir, "with_that_says_hi")); string(b) != "hi" {
		t.Fatalf("on disk: %q", b)
	}
	if r := ok(t, ch, read("with_that_says_hi")); r.GetFile().GetPath() != "with_that_says_hi" || string(r.GetFile().GetContent()) != "hi" {
		t.Fatalf("read: %v", r)
	}
	ok(t, ch, mkdir("create/a/bunch/of/dirs"))
	ok(t, ch, mkdir("create/a/bunch/of/dirs")) // exists: still ok
	ok(t, ch, write("deep/new/dir/f.txt", "parents are created"))
	ok(t, ch, move("with_that_says_hi", "create/moved"))
	ok(t, ch, move("deep/new", "elsewhere/new")) // a directory, into a new parent
	r := ok(t, ch, readdir("create"))
	got := r.GetFiles().GetFiles()
	if len(got) != 2 || got[0].GetPath() != "a" || got[0].GetType() != api.File_DIRECTORY ||
		got[1].GetPath() != "moved" || got[1].GetType() != api.File_REGULAR {
		t.Fatalf("readdir: %v", got)
	}
	if r := ok(t, ch, read("elsewhere/new/dir/f.txt")); string(r.GetFile().GetContent()) != "parents are created" {
		t.Fatalf("moved dir: %v", r)
	}
	st := ok(t, ch, stat("create/moved")).GetStatRes()
	if !st.GetExists() || st.GetSize() != 2 || st.GetType() != api.File_REGULAR || st.GetFileMode() != "-rw-r--r--" || st.GetModTime() == 0 {
		t.Fatalf("stat: %v", st)
	}
	if st := ok(t, ch, stat("create")).GetStatRes(); st.GetType() != api.File_DIRECTORY {
		t.Fatalf("stat dir: %v", st)
	}
	if st := ok(t, ch, stat("nope")).GetStatRes(); st.GetExists() {
		t.Fatalf("stat of a missing file: %v", st)
	}
	ok(t, ch, remove("create")) // recursive
	if _, err := os.Stat(filepath.Join(dir, "create")); !os.IsNotExist(err) {
		t.Fatalf("create survived remove: %v", err)
	}
	ok(t, ch, tryRemove("create"))
	// "", "." and "./" all name the root.
	for _, root := range []string{"", ".", "./"} {
		names := []string{}
		for _, f := range ok(t, ch, readdir(root)).GetFiles().GetFiles() {
			names = append(names, f.GetPath())
		}
		if strings.Join(names, ",") != "deep,elsewhere" {
			t.Fatalf("readdir %q: %v", root, names)
		}
	}
	// The "file" spelling is the same service.
	ch2 := servicetest.Open(t, url("ada"), "file", "")
	if r := ok(t, ch2, read("./elsewhere/new/dir/f.txt/")); r.GetFile().GetPath() != "elsewhere/new/dir/f.txt" {
		t.Fatalf("read via file: %v", r)
	}
}

// Clients match on the text of errors, so they read like Go's os errors.
func TestErrorsReadLikeGo(t *testing.T) {
	url, dir := serve(t)
	ch := servicetest.Open(t, url("ada"), "files", "")
	os.WriteFile(filepath.Join(dir, "f"), []byte("x"), 0o644)
	os.Mkdir(filepath.Join(dir, "d"), 0o755)
	cases := []struct {
		cmd  *api.Command
		want string
	}{
		{read("nope"), "open nope: no such file or directory"},
		{read("d"), "read d: is a directory"},
		{read("f/x"), "open f/x: not a directory"},
		{write("d", "x"), "open d: is a directory"},
		{write("f/x", "x"), "open f/x: not a directory"},
		{remove("nope"), "remove nope: no such file or directory"},
		{remove(""), "remove: refusing to remove the workspace root"},
		{move("nope", "x"), "rename nope x: no such file or directory"},
		{move("", "x"), `move needs oldPath and newPath, e.g. { move: { oldPath: "a.txt", newPath: "b.txt" } }`},
		{move("x", ""), `move needs oldPath and newPath, e.g. { move: { oldPath: "a.txt", newPath: "b.txt" } }`},
		{move(".", "x"), "move: refusing to move the workspace root"},
		{write("", "x"), `write needs a path, e.g. { write: { path: "notes.txt", content: "hi" } }`},
		{write(".", "x"), "write: refusing to write the workspace root"},
		{transferStart("", 1), `transferStart needs a path, e.g. { transferStart: { path: "big.bin", size: 1048576 } }`},
		{mkdir("f"), "mkdir f: file exists"},
		{readdir("nope"), "open nope: no such file or directory"},
		{readdir("f"), "readdir f: not a directory"},
		{read("../x"), `path "../x" leaves the workspace`},
		{read("/etc/passwd"), `path "/etc/passwd" is absolute; paths are relative to the workspace, e.g. "src/main.go"`},
		{read("a\x00b"), `path "a\x00b" contains a NUL byte`},
		{&api.Command{Body: &api.Command_CheckChanges{CheckChanges: &api.CheckChanges{}}}, "checkChanges is deprecated: subscribe to changes with the fsevents service"},
		{&api.Command{Body: &api.Command_Ping{Ping: &api.Ping{}}}, "files takes " + files.Ops + ", not ping"},
	}
	for _, c := range cases {
		fails(t, ch, c.cmd, c.want)
	}
}

func TestReadOnlySessionChangesNothing(t *testing.T) {
	url, dir := serve(t)
	os.WriteFile(filepath.Join(dir, "keep"), []byte("kept"), 0o644)
	ch := servicetest.Open(t, url("ro:viewer"), "files", "")
	if r := ok(t, ch, read("keep")); string(r.GetFile().GetContent()) != "kept" {
		t.Fatalf("read: %v", r)
	}
	ok(t, ch, readdir(""))
	ok(t, ch, stat("keep"))
	for _, cmd := range []*api.Command{
		write("keep", "changed"), write("new", "x"), remove("keep"), tryRemove("keep"), move("keep", "moved"), mkdir("d"),
		{Body: &api.Command_TransferStart{TransferStart: &api.TransferStart{Path: "big"}}},
		{Body: &api.Command_TransferChunk{TransferChunk: &api.TransferChunk{Id: "1"}}},
		{Body: &api.Command_TransferComplete{TransferComplete: &api.TransferComplete{Id: "1"}}},
	} {
		fails(t, ch, cmd, servicetest.ReadOnlyRefusal(cmd, "files"))
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("the workspace changed: %v", entries)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "keep")); string(b) != "kept" {
		t.Fatalf("keep: %q", b)
	}
}

func TestWriteKeepsModeAndWritesThroughLinks(t *testing.T) {
	url, dir := serve(t)
	ch := servicetest.Open(t, url("ada"), "files", "")
	script := filepath.Join(dir, "run.sh")
	os.WriteFile(script, []byte("#!/bin/sh\n"), 0o755)
	ok(t, ch, write("run.sh", "#!/bin/sh\necho hi\n"))
	if fi, _ := os.Stat(script); fi.Mode().Perm() != 0o755 {
		t.Fatalf("mode after write: %v", fi.Mode())
	}
	os.Mkdir(filepath.Join(dir, "real"), 0o755)
	os.WriteFile(filepath.Join(dir, "real/target"), []byte("old"), 0o600)
	os.Symlink("real/target", filepath.Join(dir, "link"))
	ok(t, ch, write("link", "new"))
	if fi, err := os.Lstat(filepath.Join(dir, "link")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v %v", fi, err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "real/target")); string(b) != "new" {
		t.Fatalf("target: %q", b)
	}
	// No temporary files are left behind, and listings never show them.
	entries, _ := os.ReadDir(filepath.Join(dir, "real"))
	if len(entries) != 1 {
		t.Fatalf("left behind: %v", entries)
	}
}

// A reader racing with writes sees the old or the new content, never a
// mixture or a truncated file.
func TestWritesAreAtomic(t *testing.T) {
	url, dir := serve(t)
	ch := servicetest.Open(t, url("ada"), "files", "")
	a, b := strings.Repeat("a", 1<<20), strings.Repeat("b", 1<<20)
	ok(t, ch, write("f", a))
	stop := make(chan struct{})
	bad := make(chan string, 1)
	go func() {
		for {
			select {
			case <-stop:
				close(bad)
				return
			default:
			}
			got, err := os.ReadFile(filepath.Join(dir, "f"))
			if err != nil || (string(got) != a && string(got) != b) {
				bad <- "a reader saw " + fsroot.Size(int64(len(got))) + " of mixed or partial content"
				return
			}
		}
	}()
	for i := range 40 {
		ok(t, ch, write("f", map[bool]string{true: a, false: b}[i%2 == 0]))
	}
	close(stop)
	if msg, isBad := <-bad; isBad {
		t.Fatal(msg)
	}
}

func TestReadLimit(t *testing.T) {
	dir := t.TempDir()
	d, _ := fsroot.Open(dir)
	defer d.Close()
	d.SetMaxRead(1000)
	url := servicetest.Serve(t, files.Descriptors(files.Config{Dir: d})...)
	ch := servicetest.Open(t, url("ada"), "files", "")
	os.WriteFile(filepath.Join(dir, "big"), bytes.Repeat([]byte("x"), 1001), 0o644)
	fails(t, ch, read("big"), "read big: the file is 1001 B, more than the 1000 B one read may return")
}

func transferStart(p string, size int64) *api.Command {
	return &api.Command{Body: &api.Command_TransferStart{TransferStart: &api.TransferStart{Path: p, Size: size}}}
}
func chunk(id string, b []byte) *api.Command {
	return &api.Command{Body: &api.Command_TransferChunk{TransferChunk: &api.TransferChunk{Id: id, Content: b}}}
}
func complete(id string, crc uint32) *api.Command {
	return &api.Command{Body: &api.Command_TransferComplete{TransferComplete: &api.TransferComplete{Id: id, Crc32: crc}}}
}
func cancel(id string) *api.Command {
	return &api.Command{Body: &api.Command_TransferCancel{TransferCancel: &api.Transfer{Id: id}}}
}

// upload sends data in chunks and returns the transfer id.
func upload(t *testing.T, ch *client.Channel, p string, data []byte, declared int64) string {
	t.Helper()
	id := ok(t, ch, transferStart(p, declared)).GetTransfer().GetId()
	for len(data) > 0 {
		n := min(len(data), 1<<20)
		ok(t, ch, chunk(id, data[:n]))
		data = data[n:]
	}
	return id
}

func TestTransfers(t *testing.T) {
	url, dir := serve(t)
	ch := servicetest.Open(t, url("ada"), "files", "")
	data := make([]byte, 20<<20+123)
	for i := range data {
		data[i] = byte(i * 7)
	}
	id := upload(t, ch, "up/big.bin", data, int64(len(data)))
	if _, err := os.Stat(filepath.Join(dir, "up/big.bin")); !os.IsNotExist(err) {
		t.Fatalf("the file appeared before transferComplete: %v", err)
	}
	ok(t, ch, complete(id, crc32.ChecksumIEEE(data)))
	if got, _ := os.ReadFile(filepath.Join(dir, "up/big.bin")); !bytes.Equal(got, data) {
		t.Fatalf("uploaded %d bytes, on disk %d", len(data), len(got))
	}

	// A wrong crc32 writes nothing and leaves the old content.
	id = upload(t, ch, "up/big.bin", []byte("corrupted"), 0)
	fails(t, ch, complete(id, 12345), "transferComplete up/big.bin: crc32 mismatch: the data has "+
		itoa(crc32.ChecksumIEEE([]byte("corrupted")))+", the client sent 12345; nothing was written")
	if got, _ := os.ReadFile(filepath.Join(dir, "up/big.bin")); !bytes.Equal(got, data) {
		t.Fatal("a failed transfer changed the file")
	}
	// More data than announced cancels the transfer.
	id = ok(t, ch, transferStart("small", 3)).GetTransfer().GetId()
	fails(t, ch, chunk(id, []byte("four")), "transferChunk small: the data passes the 3 B the transfer may write; the transfer was cancelled")
	fails(t, ch, chunk(id, []byte("x")), `transferChunk: no transfer "`+id+`" is open (start one with transferStart)`)
	// Less data than announced is refused at the end.
	id = upload(t, ch, "short", []byte("ab"), 3)
	fails(t, ch, complete(id, crc32.ChecksumIEEE([]byte("ab"))), "transferComplete short: 2 bytes arrived but transferStart announced 3; nothing was written")
	// Cancel, and ids belong to their session.
	id = upload(t, ch, "cancelled", []byte("x"), 0)
	other := servicetest.OpenOn(t, servicetest.Dial(t, url("bob")), "files", "")
	fails(t, other, cancel(id), `transferCancel: no transfer "`+id+`" is open (start one with transferStart)`)
	ok(t, ch, cancel(id))
	fails(t, ch, transferStart("x", -1), "transferStart: size -1 is negative")
	fails(t, ch, transferStart("x", 65<<20), "transferStart x: 65 MiB is more than the 64 MiB a transfer may write")
	// Nothing but the finished upload is left.
	var left []string
	filepath.Walk(dir, func(p string, _ os.FileInfo, _ error) error {
		left = append(left, strings.TrimPrefix(p, dir))
		return nil
	})
	if strings.Join(left, ",") != ",/up,/up/big.bin" {
		t.Fatalf("left behind: %v", left)
	}
}

// A session that leaves mid-transfer leaves no temporary file behind.
func TestTransferAbandonedByDisconnect(t *testing.T) {
	url, dir := serve(t)
	c := servicetest.Dial(t, url("ada"))
	ch := servicetest.OpenOn(t, c, "files", "")
	upload(t, ch, "half", bytes.Repeat([]byte("x"), 1000), 2000)
	c.Close()
	watch := servicetest.Open(t, url("bob"), "files", "")
	for range 100 {
		if entries, _ := os.ReadDir(dir); len(entries) == 0 {
			ok(t, watch, readdir(""))
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	entries, _ := os.ReadDir(dir)
	t.Fatalf("left behind: %v", entries)
}

func itoa(n uint32) string { return strconv.FormatUint(uint64(n), 10) }

// TestConcurrentReadsGetTheirOwnBytes reads files of different sizes on
// several channels at once, round after round: read buffers are pooled and
// reused once a reply is encoded, so a buffer handed on too early would
// give one reader another's bytes (or a race under -race).
func TestConcurrentReadsGetTheirOwnBytes(t *testing.T) {
	url, dir := serve(t)
	const readers = 4
	want := make([][]byte, readers)
	for i := range want {
		want[i] = bytes.Repeat([]byte{byte('a' + i)}, 100_000+i*300_000)
		if err := os.WriteFile(filepath.Join(dir, strconv.Itoa(i)), want[i], 0o644); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan error, readers)
	for i := range readers {
		ch := servicetest.Open(t, url("ada"), "files", "")
		go func() {
			for round := range 20 {
				r, err := ch.Request(t.Context(), read(strconv.Itoa(i)))
				if err != nil {
					done <- err
					return
				}
				if got := r.GetFile().GetContent(); !bytes.Equal(got, want[i]) {
					done <- fmt.Errorf("reader %d, round %d: got %d bytes starting %.4q, want %d of %q", i, round, len(got), got, len(want[i]), rune('a'+i))
					return
				}
			}
			done <- nil
		}()
	}
	for range readers {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
