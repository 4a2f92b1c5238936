package ot_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pid1/pid1/internal/fsroot"
	"github.com/pid1/pid1/internal/fswatch"
	otsvc "github.com/pid1/pid1/services/ot"
	"github.com/pid1/pid1/test/kit/hostile"
	"github.com/pid1/pid1/test/kit/servicetest"
)

func serveHostile(t *testing.T) (*hostile.Fixture, func(string) string) {
	t.Helper()
	fx := hostile.Setup(t)
	ws, err := fsroot.Open(fx.Workspace)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	w := fswatch.NewWatcher(ws, nil)
	t.Cleanup(func() { w.Close() })
	return fx, servicetest.Serve(t, otsvc.Descriptor(otsvc.Config{Dir: ws, Watcher: w}))
}

// Linking any hostile path is refused, and nothing from outside the
// workspace reaches a reply or the buffer.
func TestHostilePathsCannotBeLinked(t *testing.T) {
	fx, url := serveHostile(t)
	c := servicetest.Dial(t, url("ada"))
	for i, p := range hostile.Paths() {
		ch := servicetest.OpenOn(t, c, "ot", fmt.Sprintf("ot:%d", i))
		servicetest.Next(t, ch) // otstatus
		r := servicetest.Request(t, ch, linkCmd(p))
		if strings.Contains(r.String(), hostile.Secret) || strings.Contains(r.String(), "root:x:0:0") {
			t.Fatalf("link %q leaked: %v", p, r)
		}
		if r.GetError() == "" {
			t.Errorf("link %q succeeded: %v", p, r)
		}
		// A refused link leaves a fresh buffer, which flush refuses too.
		if r := servicetest.Request(t, ch, flushCmd()); r.GetError() == "" {
			t.Errorf("flush after link %q: %v", p, r)
		}
		fx.Check(t, "link "+p)
	}
}

// A linked file swapped for a link pointing out of the workspace is
// neither read into the buffer nor written through by a flush.
func TestLinkedFileSwappedForAnEscapingLink(t *testing.T) {
	fx, url := serveHostile(t)
	path := filepath.Join(fx.Workspace, "notes.txt")
	os.WriteFile(path, []byte("inside"), 0o644)
	ch := servicetest.Open(t, url("ada"), "ot", "ot:notes.txt")
	servicetest.Next(t, ch)
	exchange(t, ch, linkCmd("notes.txt"))
	commit(t, ch, 1, skip(6), ins(" edited"))
	os.Remove(path)
	if err := os.Symlink(filepath.Join(fx.Outside, "secret"), path); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(500 * time.Millisecond)
	for done := false; !done; {
		select {
		case c := <-ch.Stream():
			if strings.Contains(c.String(), hostile.Secret) {
				t.Fatalf("the secret reached the buffer: %v", c)
			}
		case <-deadline:
			done = true
		}
	}
	r := servicetest.Request(t, ch, flushCmd())
	if !strings.HasPrefix(r.GetError(), "flush: ") || strings.Contains(r.String(), hostile.Secret) {
		t.Fatalf("flush through an escaping link: %v", r)
	}
	t.Logf("refused: %s", r.GetError())
	fx.Check(t, "flush through an escaping link")
	_, st := open(t, url, "bob", "ot:notes.txt")
	if st.GetContents() != "inside edited" {
		t.Fatalf("buffer: %v", st)
	}
}
