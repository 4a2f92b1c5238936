package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/internal/otclient"
	textot "github.com/pid1/pid1/ot"
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
