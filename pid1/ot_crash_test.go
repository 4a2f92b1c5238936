package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/internal/textot"
	"github.com/pid1/pid1/test/kit/otclient"
)

// pid1 killed with SIGKILL right after answering a flush leaves the linked
// file complete and equal to the flushed text; a second flush in flight
// when the kill lands leaves either the first text or the second, never a
// mix or a truncated file.
func TestOTFlushSurvivesSIGKILL(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ws, state := filepath.Join(dir, "ws"), filepath.Join(dir, "state")
	if err := os.MkdirAll(ws, 0o755); err != nil {
		t.Fatal(err)
	}
	doc := filepath.Join(ws, "doc.txt")
	os.WriteFile(doc, []byte("start\n"), 0o644)
	for round := range 3 {
		p := startOn(t, ws, state)
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		c, err := client.Dial(ctx, "ws://"+p.addr+"/wsv2/"+token(t, "-state-dir", state, "-user", "ann"), nil)
		if err != nil {
			t.Fatal(err)
		}
		ch, err := c.Open(ctx, "ot", "ot:doc.txt", api.OpenChannel_ATTACH_OR_CREATE)
		if err != nil {
			t.Fatal(err)
		}
		<-ch.Stream() // otstatus
		r, err := ch.Request(ctx, &api.Command{Body: &api.Command_OtLinkFile{OtLinkFile: &api.OTLinkFile{File: &api.File{Path: "doc.txt"}}}})
		if err != nil || r.GetOtLinkFileResponse() == nil {
			t.Fatalf("link: %v %v", r, err)
		}
		e, err := otclient.New(ch, &api.OTStatus{})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.WaitVersion(ctx, 1); err != nil {
			t.Fatal(err)
		}
		// Make the text large (about 1 MiB), so a write takes a while.
		line := fmt.Sprintf("round %d: %s\n", round, strings.Repeat("é✓😭 ", 40000))
		edit := func() {
			if err := e.EditWith(ctx, func(n int) textot.Op { return textot.Op{textot.Skip(n), textot.Insert(line)} }); err != nil {
				t.Fatal(err)
			}
			if err := e.WaitSynced(ctx); err != nil {
				t.Fatal(err)
			}
		}
		edit()
		flushed := e.Text()
		if r, err := ch.Request(ctx, &api.Command{Body: &api.Command_Flush{Flush: &api.Flush{}}}); err != nil || r.GetOk() == nil {
			t.Fatalf("flush: %v %v", r, err)
		}
		edit()
		second := e.Text()
		if err := ch.Send(ctx, &api.Command{Body: &api.Command_Flush{Flush: &api.Flush{}}}); err != nil {
			t.Fatal(err)
		}
		p.cmd.Process.Kill()
		p.cmd.Wait()
		c.Close()
		cancel()
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(b); got != flushed && got != second {
			t.Fatalf("round %d: after SIGKILL the file has %d bytes, neither the flushed %d nor the next %d", round, len(got), len(flushed), len(second))
		}
	}
}

// Edits that were never flushed are written when pid1 is stopped with
// SIGTERM: shutdown closes every channel, and closing flushes.
func TestOTUnflushedEditsSurviveSIGTERM(t *testing.T) {
	t.Parallel()
	p := startProcess(t)
	doc := filepath.Join(p.workspace, "notes.md")
	if err := os.WriteFile(doc, []byte("# notes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, "ws://"+p.addr+"/wsv2/"+token(t, "-state-dir", p.state, "-user", "ann"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ch, err := c.Open(ctx, "ot", "ot:notes.md", api.OpenChannel_ATTACH_OR_CREATE)
	if err != nil {
		t.Fatal(err)
	}
	<-ch.Stream() // otstatus
	if r, err := ch.Request(ctx, &api.Command{Body: &api.Command_OtLinkFile{OtLinkFile: &api.OTLinkFile{File: &api.File{Path: "notes.md"}}}}); err != nil || r.GetOtLinkFileResponse() == nil {
		t.Fatalf("link: %v %v", r, err)
	}
	op, _ := textot.ToProto(textot.Op{textot.Skip(8), textot.Insert("- never flushed ✓\n")})
	if r, err := ch.Request(ctx, &api.Command{Body: &api.Command_Ot{Ot: &api.OTPacket{SpookyVersion: 1, Op: op}}}); err != nil || r.GetOk() == nil {
		t.Fatalf("op: %v %v", r, err)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.cmd.Wait() // pid1 exits 143 (128 + SIGTERM), as after any signal
	if !strings.Contains(p.logs.String(), "pid1 stopped") {
		t.Fatalf("pid1 did not shut down cleanly:\n%s", p.logs.String())
	}
	if b, _ := os.ReadFile(doc); string(b) != "# notes\n- never flushed ✓\n" {
		t.Fatalf("after SIGTERM: %q", b)
	}
}

// 100 edits, each acknowledged and none flushed, survive SIGKILL: four
// editors make them at once (so acknowledgements wait on shared fsyncs),
// pid1 is killed, and the restarted pid1 writes them into the file from
// its op log before it serves anyone; a buffer linked to the file then
// holds them too.
func TestOTAcknowledgedEditsSurviveSIGKILL(t *testing.T) {
	t.Parallel()
	acknowledgedEditsSurviveSIGKILL(t)
}

// With an fsync before every acknowledgement, and with the fsync an hour
// away (an edit acknowledged once the log is written), SIGKILL loses none
// either.
func TestOTAcknowledgedEditsSurviveSIGKILLWhateverTheFsync(t *testing.T) {
	t.Parallel()
	for _, every := range []string{"0", "1h"} {
		t.Run("-ot-log-sync="+every, func(t *testing.T) {
			t.Parallel()
			acknowledgedEditsSurviveSIGKILL(t, "-ot-log-sync", every)
		})
	}
}

func acknowledgedEditsSurviveSIGKILL(t *testing.T, args ...string) {
	dir := t.TempDir()
	ws, state := filepath.Join(dir, "ws"), filepath.Join(dir, "state")
	if err := os.MkdirAll(filepath.Join(ws, "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	doc := filepath.Join(ws, "src", "notes.md")
	os.WriteFile(doc, []byte("# notes\n"), 0o644)
	p := startOn(t, ws, state, args...)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	open := func(user string) *client.Channel {
		c, err := client.Dial(ctx, "ws://"+p.addr+"/wsv2/"+token(t, "-state-dir", state, "-user", user), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		ch, err := c.Open(ctx, "ot", "ot:src/notes.md", api.OpenChannel_ATTACH_OR_CREATE)
		if err != nil {
			t.Fatal(err)
		}
		return ch
	}
	linker := open("linker")
	<-linker.Stream() // otstatus
	if r, err := linker.Request(ctx, &api.Command{Body: &api.Command_OtLinkFile{OtLinkFile: &api.OTLinkFile{File: &api.File{Path: "src/notes.md"}}}}); err != nil || r.GetOtLinkFileResponse() == nil {
		t.Fatalf("link: %v %v", r, err)
	}
	var editors []*otclient.Editor
	for i := range 4 {
		ch := open(fmt.Sprintf("editor%d", i))
		e, err := otclient.New(ch, (<-ch.Stream()).GetOtstatus())
		if err != nil {
			t.Fatal(err)
		}
		editors = append(editors, e)
	}
	var wg sync.WaitGroup
	acked := make([]int, len(editors))
	for i, e := range editors {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 25 {
				if err := e.EditWith(ctx, func(n int) textot.Op {
					// At the start or the end, so no edit splits another.
					return textot.Normalize(textot.Op{textot.Skip(n * (k % 2)), textot.Insert(fmt.Sprintf("[%d.%d é✓]", i, k))})
				}); err != nil {
					t.Error(err)
					return
				}
				if err := e.WaitSynced(ctx); err != nil {
					t.Error(err)
					return
				}
				acked[i]++
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	// Everyone has every version: the text all editors agree on holds the
	// 100 acknowledged edits, and none of it was flushed.
	last := uint32(0)
	for _, e := range editors {
		last = max(last, e.Version())
	}
	for _, e := range editors {
		if err := e.WaitVersion(ctx, last); err != nil {
			t.Fatal(err)
		}
	}
	want := editors[0].Text()
	if n := strings.Count(want, " é✓]"); n != 100 || acked[0]+acked[1]+acked[2]+acked[3] != 100 {
		t.Fatalf("%d edits in the text, %v acknowledged", n, acked)
	}
	if b, _ := os.ReadFile(doc); string(b) != "# notes\n" {
		t.Fatalf("the file was written before the kill: %q", b)
	}
	p.cmd.Process.Kill()
	p.cmd.Wait()

	p2 := startOn(t, ws, state)
	if b, _ := os.ReadFile(doc); string(b) != want {
		t.Fatalf("after SIGKILL and a restart the file holds %d of the 100 edits:\n%s", strings.Count(string(b), " é✓]"), b)
	}
	if !strings.Contains(p2.logs.String(), "recovered the unflushed edits") {
		t.Fatalf("no log line about the recovery:\n%s", p2.logs.String())
	}
	c, err := client.Dial(ctx, "ws://"+p2.addr+"/wsv2/"+token(t, "-state-dir", state, "-user", "ann"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ch, err := c.Open(ctx, "ot", "ot:src/notes.md", api.OpenChannel_ATTACH_OR_CREATE)
	if err != nil {
		t.Fatal(err)
	}
	<-ch.Stream() // otstatus
	r, err := ch.Request(ctx, &api.Command{Body: &api.Command_OtLinkFile{OtLinkFile: &api.OTLinkFile{File: &api.File{Path: "src/notes.md"}}}})
	if err != nil || string(r.GetOtLinkFileResponse().GetLinkedFile().GetContent()) != want {
		t.Fatalf("the buffer after the restart: %v %v", r, err)
	}
}
