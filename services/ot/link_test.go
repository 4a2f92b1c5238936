package ot_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	otsvc "github.com/pid1/pid1/services/ot"
	"github.com/pid1/pid1/test/kit/servicetest"
)

func TestLinkLoadsTheFileAsVersionOne(t *testing.T) {
	url, _ := serve(t, map[string]string{"src/a_file": "the file content ✓"}, otsvc.Limits{})
	ada, _ := open(t, url, "ada", "ot:src/a_file")
	bob, _ := open(t, url, "bob", "ot:src/a_file")
	before, r := exchange(t, ada, linkCmd("./src/a_file"))
	res := r.GetOtLinkFileResponse()
	if res.GetVersion() != 1 || res.GetLinkedFile().GetPath() != "src/a_file" || string(res.GetLinkedFile().GetContent()) != "the file content ✓" {
		t.Fatalf("otLinkFileResponse: %v", r)
	}
	// Everyone, the linker included, gets the insert as version 1.
	if len(before) != 1 || before[0].GetOt().GetVersion() != 1 || opString(t, before[0].GetOt()) != `["the file content ✓"]` {
		t.Fatalf("linker got %v", before)
	}
	if p := packet(t, bob); p.GetCrc32() != crc("the file content ✓") || p.GetUserId() != 0 {
		t.Fatalf("bob got %v", p)
	}
	_, st := open(t, url, "cy", "ot:src/a_file")
	if st.GetLinkedFile().GetPath() != "src/a_file" || st.GetContents() != "the file content ✓" || st.GetVersion() != 1 {
		t.Fatalf("otstatus of a linked buffer: %v", st)
	}
	refused(t, ada, linkCmd("src/a_file"), "otLinkFile: this buffer is already linked to src/a_file; open another channel for another file")
}

func TestLinkRefusals(t *testing.T) {
	url, ws := serve(t, map[string]string{"f": "x", "bin": "\xff\xfe", "d/g": "y"}, otsvc.Limits{DocBytes: 8})
	os.WriteFile(filepath.Join(ws.Path(), "big"), []byte("123456789"), 0o644)
	for _, c := range []struct{ path, want string }{
		{"", `otLinkFile needs a file, e.g. { otLinkFile: { file: { path: "main.py" } } }`},
		{"missing", "open missing: no such file or directory"},
		{"d", "read d: is a directory"},
		{".", "otLinkFile: the workspace root is a directory, not a file"},
		{"../f", `path "../f" leaves the workspace`},
		{"/etc/passwd", `path "/etc/passwd" is absolute; paths are relative to the workspace, e.g. "src/main.go"`},
		{"bin", "bin is not UTF-8 text; ot edits text"},
		{"big", "big is 9 B, over the 8 B a buffer may hold"},
	} {
		ch, _ := open(t, url, "ada", "ot:"+c.path)
		refused(t, ch, linkCmd(c.path), c.want)
	}
	ch, _ := open(t, url, "ada", "ot:scratch")
	commit(t, ch, 0, ins("mine"))
	refused(t, ch, linkCmd("f"), "otLinkFile: this buffer already has 1 versions of its own; link a file before sending any op")
}

func TestFlushWritesTheFileAndTellsEveryone(t *testing.T) {
	url, ws := serve(t, map[string]string{"main.py": "print(1)\n"}, otsvc.Limits{})
	ada, _ := open(t, url, "ada", "ot:main.py")
	bob, _ := open(t, url, "bob", "ot:main.py")
	exchange(t, ada, linkCmd("main.py"))
	packet(t, bob)
	commit(t, ada, 1, skip(6), del(1), ins("2"))
	packet(t, bob)
	path := filepath.Join(ws.Path(), "main.py")
	if b, _ := os.ReadFile(path); string(b) != "print(1)\n" {
		t.Fatalf("written before flush: %q", b)
	}
	before, r := exchange(t, ada, flushCmd())
	if r.GetOk() == nil || len(before) != 0 {
		t.Fatalf("flush: %v then %v", before, r)
	}
	if b, _ := os.ReadFile(path); string(b) != "print(2)\n" {
		t.Fatalf("after flush: %q", b)
	}
	for _, ch := range []*client.Channel{ada, bob} {
		if n := servicetest.Next(t, ch).GetOtFlushNotification(); n.GetDiskVersion() != 2 {
			t.Fatalf("flush notification: %v", n)
		}
	}
	scratch, _ := open(t, url, "ada", "ot:scratch")
	refused(t, scratch, flushCmd(), `flush: this buffer is not linked to a file; link one first with { otLinkFile: { file: { path: "main.py" } } }`)
}

// Closing the channel (the last client leaves with TRY_CLOSE, or pid1
// shuts down) flushes what was not flushed.
func TestCloseFlushes(t *testing.T) {
	url, ws := serve(t, map[string]string{"notes.txt": "a"}, otsvc.Limits{})
	ada, _ := open(t, url, "ada", "ot:notes.txt")
	exchange(t, ada, linkCmd("notes.txt"))
	commit(t, ada, 1, skip(1), ins("bc"))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := ada.Close(ctx, api.CloseChannel_TRY_CLOSE); err != nil {
		t.Fatal(err)
	}
	// The reply to closeChan goes out before the service is closed.
	path := filepath.Join(ws.Path(), "notes.txt")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		b, _ := os.ReadFile(path)
		if string(b) == "abc" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after close: %q", b)
		}
	}
}

func TestFetch(t *testing.T) {
	url, _ := serve(t, nil, otsvc.Limits{})
	ada, _ := open(t, url, "ada", "ot:x")
	commit(t, ada, 0, ins("hel"))
	commit(t, ada, 1, skip(3), ins("lo "))
	commit(t, ada, 2, skip(6), ins("world"))
	_, r := exchange(t, ada, fetchCmd(2, 3))
	ps := r.GetOtFetchResponse().GetPackets()
	if len(ps) != 2 || ps[0].GetVersion() != 2 || opString(t, ps[0]) != `[3,"lo "]` || ps[0].GetCrc32() != crc("hello ") ||
		ps[1].GetSpookyVersion() != 3 || ps[1].GetCrc32() != crc("hello world") {
		t.Fatalf("fetch 2..3: %v", ps)
	}
	if _, r := exchange(t, ada, fetchCmd(1, 0)); len(r.GetOtFetchResponse().GetPackets()) != 3 {
		t.Fatalf("versionTo 0 means up to now: %v", r)
	}
	for _, c := range []struct {
		from, to uint32
		want     string
	}{
		{0, 2, "otFetchRequest: versionFrom must be at least 1, the first version"},
		{3, 2, "otFetchRequest: versionTo 2 is before versionFrom 3 (both are inclusive)"},
		{2, 9, "otFetchRequest: versionTo 9 is past the current version 3"},
	} {
		refused(t, ada, fetchCmd(c.from, c.to), c.want)
	}
}

// History is bounded; what fell out of it cannot be fetched or built on.
func TestBoundedHistory(t *testing.T) {
	url, _ := serve(t, nil, otsvc.Limits{HistoryOps: 3})
	ada, _ := open(t, url, "ada", "ot:x")
	for v := uint32(0); v < 5; v++ {
		commit(t, ada, v, ins("x"))
	}
	want := "otFetchRequest: version 2 is no longer kept (the history holds versions 3 to 5, at most 3 ops); reopen the channel to load the current text"
	refused(t, ada, fetchCmd(2, 5), want)
	refused(t, ada, opCmd(1, ins("y")), "ot: version 2 is no longer kept (the history holds versions 3 to 5, at most 3 ops); reopen the channel to load the current text")
	if _, r := exchange(t, ada, fetchCmd(3, 5)); len(r.GetOtFetchResponse().GetPackets()) != 3 {
		t.Fatalf("kept versions: %v", r)
	}
	commit(t, ada, 2, ins("y")) // based on version 2: needs 3..5, which are kept
}

func TestTransformSelection(t *testing.T) {
	url, _ := serve(t, nil, otsvc.Limits{})
	ada, _ := open(t, url, "ada", "ot:x")
	commit(t, ada, 0, ins("hello world"))
	commit(t, ada, 1, ins("// "))      // v2
	commit(t, ada, 2, skip(3), del(6)) // v3: "// world"
	req := func(s, e, from, to uint32) *api.Command {
		return &api.Command{Body: &api.Command_OtTransformSelectionRequest{OtTransformSelectionRequest: &api.OTTransformSelectionRequest{
			IndexStart: s, IndexEnd: e, VersionFrom: from, VersionTo: to}}}
	}
	// "world" selected at version 1 (6..11) is at 3..8 now.
	_, r := exchange(t, ada, req(6, 11, 1, 0))
	if res := r.GetOtTransformSelectionResponse(); res.GetIndexStart() != 3 || res.GetIndexEnd() != 8 || res.GetVersion() != 3 {
		t.Fatalf("selection: %v", r)
	}
	refused(t, ada, req(0, 1, 3, 2), "otTransformSelectionRequest: versionTo 2 is before versionFrom 3")
}
