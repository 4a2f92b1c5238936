package ot_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/internal/textot"
	otsvc "github.com/pid1/pid1/services/ot"
	"github.com/pid1/pid1/test/kit/otclient"
)

// alphabet mixes one-, two-, three- and four-byte characters, so that any
// confusion of code points with bytes or UTF-16 units shows.
var alphabet = []rune("abc xyz\né中😭𝄞")

// randomEdit is an insert or a delete at a random place of a text of n
// code points.
func randomEdit(r *rand.Rand, n int) textot.Op {
	var op textot.Op
	if n > 0 && r.IntN(3) == 0 {
		at := r.IntN(n)
		if at > 0 {
			op = append(op, textot.Skip(at))
		}
		return append(op, textot.Delete(1+r.IntN(min(n-at, 4))))
	}
	at := r.IntN(n + 1)
	if at > 0 {
		op = append(op, textot.Skip(at))
	}
	var sb strings.Builder
	for range 1 + r.IntN(4) {
		sb.WriteRune(alphabet[r.IntN(len(alphabet))])
	}
	return append(op, textot.Insert(sb.String()))
}

// connect attaches a new connection to the shared buffer.
func connect(ctx context.Context, url string) (*client.Client, *client.Channel, *api.OTStatus, error) {
	c, err := client.Dial(ctx, url, nil)
	if err != nil {
		return nil, nil, nil, err
	}
	ch, err := c.Open(ctx, "ot", "ot:doc.txt", api.OpenChannel_ATTACH_OR_CREATE)
	if err != nil {
		c.Close()
		return nil, nil, nil, err
	}
	select {
	case cmd := <-ch.Stream():
		if st := cmd.GetOtstatus(); st != nil {
			return c, ch, st, nil
		}
		err = fmt.Errorf("first command is %v, not otstatus", cmd)
	case <-ctx.Done():
		err = ctx.Err()
	}
	c.Close()
	return nil, nil, nil, err
}

// Several editors on real WebSockets edit one linked document with random
// delays and drop their connections at random, editing on while offline
// and catching up when back, while the file is changed on disk and the
// buffer flushed. Every editor's text and every CRC-32 must agree with the
// server's at the end, and with the flushed file.
func TestEditorsConverge(t *testing.T) {
	const editors, rounds = 6, 300
	url, ws := serve(t, map[string]string{"doc.txt": "shared text ✓\n"}, otsvc.Limits{})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	c0, ch0, _, err := connect(ctx, url("linker"))
	if err != nil {
		t.Fatal(err)
	}
	defer c0.Close()
	if r, err := ch0.Request(ctx, linkCmd("doc.txt")); err != nil || r.GetOtLinkFileResponse() == nil {
		t.Fatalf("link: %v %v", r, err)
	}

	// Meanwhile something else keeps changing the file on disk, and the
	// buffer is flushed now and then: both kinds of change are merged.
	stopDisk := make(chan struct{})
	diskDone := make(chan int)
	go func() {
		path, n := filepath.Join(ws.Path(), "doc.txt"), 0
		for {
			select {
			case <-stopDisk:
				diskDone <- n
				return
			case <-time.After(15 * time.Millisecond):
			}
			if n%3 == 0 {
				ch0.Request(ctx, flushCmd())
			}
			b, _ := os.ReadFile(path)
			os.WriteFile(path, append(b, fmt.Sprintf("written on disk %d\n", n)...), 0o644)
			n++
		}
	}()

	var wg sync.WaitGroup
	errs := make(chan error, editors)
	final := make([]*otclient.Editor, editors)
	reconnects := make([]int, editors)
	for i := range editors {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- edit(ctx, url(fmt.Sprintf("editor%d", i)), uint64(i), rounds, &final[i], &reconnects[i])
		}()
	}
	wg.Wait()
	close(stopDisk)
	diskWrites := <-diskDone
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}

	// The last change on disk is merged within the watcher's burst window.
	time.Sleep(300 * time.Millisecond)
	chkc, chk, st, err := connect(ctx, url("checker"))
	if err != nil {
		t.Fatal(err)
	}
	defer chkc.Close()
	if !strings.Contains(st.GetContents(), fmt.Sprintf("written on disk %d\n", diskWrites-1)) {
		t.Fatalf("the last change on disk is missing from the buffer:\n%s", st.GetContents())
	}
	total := 0
	for i, e := range final {
		if err := e.WaitVersion(ctx, st.GetVersion()); err != nil {
			t.Fatalf("editor %d: %v", i, err)
		}
		if e.Text() != st.GetContents() {
			t.Fatalf("editor %d diverged:\n%q\nserver:\n%q", i, e.Text(), st.GetContents())
		}
		total += e.Committed()
	}
	// Every acknowledged op is in the history exactly once; the other
	// versions are the link and the changes on disk, from user 0.
	r, err := chk.Request(ctx, fetchCmd(1, st.GetVersion()))
	if err != nil {
		t.Fatal(err)
	}
	fromEditors := 0
	for _, p := range r.GetOtFetchResponse().GetPackets() {
		if p.GetUserId() != 0 {
			fromEditors++
		}
	}
	if fromEditors != total {
		t.Fatalf("%d ops acknowledged, but %d versions came from editors", total, fromEditors)
	}
	if r, err := chk.Request(ctx, flushCmd()); err != nil || r.GetOk() == nil {
		t.Fatalf("flush: %v %v", r, err)
	}
	if b, _ := os.ReadFile(filepath.Join(ws.Path(), "doc.txt")); string(b) != st.GetContents() {
		t.Fatal("the flushed file differs from the buffer")
	}
	sum := 0
	for _, n := range reconnects {
		sum += n
	}
	t.Logf("%d editors, %d versions, %d reconnects, %d writes on disk, %d code points", editors, st.GetVersion(), sum, diskWrites, len([]rune(st.GetContents())))
}

// edit is one editor's life: random edits, random pauses, random
// reconnects. It leaves the editor connected and synced in *out.
func edit(ctx context.Context, url string, seed uint64, rounds int, out **otclient.Editor, reconnects *int) error {
	r := rand.New(rand.NewPCG(seed, 42))
	c, ch, st, err := connect(ctx, url)
	if err != nil {
		return err
	}
	e, err := otclient.New(ch, st)
	if err != nil {
		return err
	}
	*out = e
	defer func() { go func() { <-ctx.Done(); c.Close() }() }()
	for range rounds {
		if err := e.EditWith(ctx, func(n int) textot.Op { return randomEdit(r, n) }); err != nil {
			return err
		}
		if err := e.Err(); err != nil {
			return err
		}
		time.Sleep(time.Duration(r.IntN(3000)) * time.Microsecond)
		if r.IntN(20) == 0 { // drop the connection, edit offline, come back
			e.Detach()
			c.Close()
			*reconnects++
			for range r.IntN(3) {
				if err := e.EditWith(ctx, func(n int) textot.Op { return randomEdit(r, n) }); err != nil {
					return err
				}
			}
			if c, ch, st, err = connect(ctx, url); err != nil {
				return err
			}
			if err := e.Reconnect(ctx, ch, st); err != nil {
				return fmt.Errorf("reconnect: %w", err)
			}
		}
	}
	return e.WaitSynced(ctx)
}
