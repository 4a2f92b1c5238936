package fsevents_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/internal/fsroot"
	"github.com/pid1/pid1/internal/fswatch"
	"github.com/pid1/pid1/services/files"
	"github.com/pid1/pid1/services/fsevents"
	"github.com/pid1/pid1/test/kit/hostile"
	"github.com/pid1/pid1/test/kit/servicetest"
)

type fixture struct {
	dir  string
	w    *fswatch.Watcher
	url  func(string) string
	ws   *fsroot.Dir
	path func(string) string
}

// serve runs fsevents and files on one hub over dir.
func serve(t *testing.T, dir string) *fixture {
	t.Helper()
	ws, err := fsroot.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	w := fswatch.NewWatcher(ws, nil)
	t.Cleanup(func() { w.Close(); ws.Close() })
	ds := append(files.Descriptors(files.Config{Dir: ws}), fsevents.Descriptor(fsevents.Config{Watcher: w}))
	return &fixture{dir: dir, w: w, ws: ws, url: servicetest.Serve(t, ds...),
		path: func(p string) string { return filepath.Join(dir, p) }}
}

func subscribe(t *testing.T, ch *client.Channel, paths ...string) {
	t.Helper()
	fs := make([]*api.File, len(paths))
	for i, p := range paths {
		fs[i] = &api.File{Path: p}
	}
	r := servicetest.Request(t, ch, &api.Command{Body: &api.Command_SubscribeFile{SubscribeFile: &api.SubscribeFile{Files: fs}}})
	if r.GetOk() == nil {
		t.Fatalf("subscribeFile %v: %v", paths, r)
	}
}

// event formats the next fileEvent as "Op path [-> dest] [dir]".
func event(t *testing.T, ch *client.Channel) string {
	t.Helper()
	c := servicetest.Next(t, ch)
	return format(c)
}

func format(c *api.Command) string {
	fe := c.GetFileEvent()
	if fe == nil {
		return "not an event: " + c.String()
	}
	s := fe.GetOp().String() + " " + fe.GetFile().GetPath()
	if fe.GetOp() == api.FileEvent_Move {
		s += " -> " + fe.GetDest().GetPath()
	}
	if fe.GetFile().GetType() == api.File_DIRECTORY {
		s += " dir"
	}
	return s
}

func expect(t *testing.T, ch *client.Channel, want ...string) {
	t.Helper()
	for _, w := range want {
		if got := event(t, ch); got != w {
			t.Fatalf("got %q, want %q", got, w)
		}
	}
	servicetest.Quiet(t, ch, 150*time.Millisecond)
}

// repeats reads events until the channel is quiet, each of which must be
// want, and returns how many came (at least one). A burst of writes is one
// event; a machine loaded enough to pause the writer longer than a burst's
// quiet gap splits it into a few, each the same event.
func repeats(t *testing.T, ch *client.Channel, want string) int {
	t.Helper()
	if got := event(t, ch); got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	for n := 1; ; n++ {
		select {
		case c := <-ch.Stream():
			if got := format(c); got != want {
				t.Fatalf("got %q after %d × %q", got, n, want)
			}
		case <-time.After(150 * time.Millisecond):
			return n
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestDirectorySubscription(t *testing.T) {
	f := serve(t, t.TempDir())
	ch := servicetest.Open(t, f.url("ada"), "fsevents", "")
	subscribe(t, ch, "")
	must(t, os.WriteFile(f.path("new_file"), []byte("x"), 0o644))
	expect(t, ch, "Create new_file")
	must(t, os.Mkdir(f.path("d"), 0o755))
	expect(t, ch, "Create d dir")
	must(t, os.WriteFile(f.path("new_file"), []byte("more"), 0o644)) // a modification: not for a directory subscription
	servicetest.Quiet(t, ch, 150*time.Millisecond)
	must(t, os.Rename(f.path("new_file"), f.path("renamed")))
	expect(t, ch, "Move new_file -> renamed")
	must(t, os.Rename(f.path("d"), f.path("d2")))
	expect(t, ch, "Move d -> d2 dir")
	must(t, os.Remove(f.path("renamed")))
	expect(t, ch, "Remove renamed")
	must(t, os.RemoveAll(f.path("d2")))
	expect(t, ch, "Remove d2 dir")
	// Things inside a subdirectory are not part of a subscription to the root.
	must(t, os.MkdirAll(f.path("sub"), 0o755))
	expect(t, ch, "Create sub dir")
	must(t, os.WriteFile(f.path("sub/inner"), nil, 0o644))
	servicetest.Quiet(t, ch, 150*time.Millisecond)
	// A file created and removed within one burst (2 ms) is not reported;
	// on a loaded machine the two may fall in two bursts, and then both
	// are, in order: never one without the other.
	must(t, os.WriteFile(f.path("flash"), nil, 0o644))
	must(t, os.Remove(f.path("flash")))
	select {
	case c := <-ch.Stream():
		if got := format(c); got != "Create flash" {
			t.Fatalf("unexpected %s", got)
		}
		expect(t, ch, "Remove flash")
	case <-time.After(150 * time.Millisecond):
	}
}

func TestFileSubscription(t *testing.T) {
	f := serve(t, t.TempDir())
	must(t, os.WriteFile(f.path("new_file"), []byte("x"), 0o644))
	ch := servicetest.Open(t, f.url("ada"), "fsevents", "")
	subscribe(t, ch, "new_file", "not_yet")
	fh, err := os.OpenFile(f.path("new_file"), os.O_WRONLY|os.O_APPEND, 0)
	must(t, err)
	for range 100 { // a burst of writes is one Modify
		fh.WriteString("line\n")
	}
	fh.Close()
	if n := repeats(t, ch, "Modify new_file"); n >= 100 {
		t.Fatalf("100 writes in a loop gave %d events: nothing was coalesced", n)
	}
	must(t, os.WriteFile(f.path("other"), nil, 0o644)) // not subscribed
	servicetest.Quiet(t, ch, 150*time.Millisecond)
	must(t, os.WriteFile(f.path("not_yet"), []byte("x"), 0o644)) // appears: a modification of the subscribed path
	expect(t, ch, "Modify not_yet")
	must(t, os.Rename(f.path("other"), f.path("new_file"))) // replaced by a rename
	expect(t, ch, "Modify new_file")
	must(t, os.Remove(f.path("new_file")))
	expect(t, ch, "Remove new_file")
	must(t, os.Rename(f.path("not_yet"), f.path("elsewhere")))
	expect(t, ch, "Move not_yet -> elsewhere")
}

// Changes made through the files service reach subscribers, with pid1's
// temporary files hidden: an atomic write is one Create or Modify.
func TestFilesServiceChangesAreSeen(t *testing.T) {
	f := serve(t, t.TempDir())
	ev := servicetest.Open(t, f.url("ada"), "fsevents", "")
	subscribe(t, ev, "")
	fc := servicetest.Open(t, f.url("bob"), "files", "")
	do := func(cmd *api.Command) {
		t.Helper()
		if r := servicetest.Request(t, fc, cmd); r.GetOk() == nil {
			t.Fatalf("%v: %v", cmd, r)
		}
	}
	file := func(p string) *api.File { return &api.File{Path: p} }
	do(&api.Command{Body: &api.Command_Write{Write: &api.File{Path: "a.txt", Content: []byte("1")}}})
	expect(t, ev, "Create a.txt")
	subscribe(t, ev, "a.txt")
	do(&api.Command{Body: &api.Command_Write{Write: &api.File{Path: "a.txt", Content: []byte("2")}}})
	expect(t, ev, "Modify a.txt")
	do(&api.Command{Body: &api.Command_Mkdir{Mkdir: file("d")}})
	expect(t, ev, "Create d dir")
	do(&api.Command{Body: &api.Command_Move{Move: &api.Move{OldPath: "a.txt", NewPath: "b.txt"}}})
	expect(t, ev, "Move a.txt -> b.txt")
	do(&api.Command{Body: &api.Command_Remove{Remove: file("b.txt")}})
	expect(t, ev, "Remove b.txt")
	do(&api.Command{Body: &api.Command_Remove{Remove: file("d")}})
	expect(t, ev, "Remove d dir")
}

// Two channels subscribed to the same directory each get every event, and
// closing one leaves the other working.
func TestSharedWatches(t *testing.T) {
	f := serve(t, t.TempDir())
	a := servicetest.Open(t, f.url("ada"), "fsevents", "")
	b := servicetest.Open(t, f.url("bob"), "fsevents", "")
	subscribe(t, a, "")
	subscribe(t, b, "", "")
	must(t, os.WriteFile(f.path("x"), nil, 0o644))
	expect(t, a, "Create x")
	expect(t, b, "Create x")
	if _, err := a.Close(t.Context(), api.CloseChannel_CLOSE); err != nil {
		t.Fatal(err)
	}
	must(t, os.WriteFile(f.path("y"), nil, 0o644))
	expect(t, b, "Create y")
}

// When the kernel's queue overflows, subscribers are told, and a rescan
// brings them to the final state.
func TestOverflowIsReportedAndRescanned(t *testing.T) {
	f := serve(t, t.TempDir())
	must(t, os.WriteFile(f.path("gone"), nil, 0o644))
	must(t, os.WriteFile(f.path("watched"), []byte("before"), 0o644))
	ch := servicetest.Open(t, f.url("ada"), "fsevents", "")
	subscribe(t, ch, "", "watched")
	resume := f.w.Pause()
	time.Sleep(50 * time.Millisecond) // the loop is now parked
	const n = 20000                   // more than fs.inotify.max_queued_events (16384 by default)
	limit, _ := os.ReadFile("/proc/sys/fs/inotify/max_queued_events")
	if q := strings.TrimSpace(string(limit)); q != "" && len(q) > 5 {
		t.Skipf("max_queued_events is %s; too large to overflow here", q)
	}
	for i := range n {
		p := f.path(fmt.Sprint("churn", i%10))
		must(t, os.WriteFile(p, nil, 0o644))
		must(t, os.Remove(p))
	}
	must(t, os.WriteFile(f.path("created"), nil, 0o644))
	must(t, os.Remove(f.path("gone")))
	must(t, os.WriteFile(f.path("watched"), []byte("after, longer"), 0o644))
	resume()
	sawError := false
	final := map[string]bool{}
	deadline := time.After(20 * time.Second)
	for !(sawError && final["Create created"] && final["Remove gone"] && final["Modify watched"]) {
		select {
		case c := <-ch.Stream():
			if c.GetError() != "" {
				if !strings.Contains(c.GetError(), "overflowed") {
					t.Fatalf("error %q", c.GetError())
				}
				sawError = true
				continue
			}
			final[format(c)] = true
		case <-deadline:
			t.Fatalf("after the overflow: error seen %v, events %v", sawError, final)
		}
	}
}

func TestBadRequests(t *testing.T) {
	f := serve(t, t.TempDir())
	ch := servicetest.Open(t, f.url("ada"), "fsevents", "")
	cases := map[*api.Command]string{
		{Body: &api.Command_SubscribeFile{SubscribeFile: &api.SubscribeFile{}}}:                                               `subscribeFile needs files, e.g. { subscribeFile: { files: [{ path: "" }] } }`,
		{Body: &api.Command_Ping{Ping: &api.Ping{}}}:                                                                          "fsevents takes subscribeFile, not ping",
		{Body: &api.Command_SubscribeFile{SubscribeFile: &api.SubscribeFile{Files: []*api.File{{Path: "no/such/dir/file"}}}}}: "subscribeFile no/such/dir/file: open no/such/dir: no such file or directory",
		{Body: &api.Command_SubscribeFile{SubscribeFile: &api.SubscribeFile{Files: []*api.File{{Path: "../up"}}}}}:            `path "../up" leaves the workspace`,
	}
	for cmd, want := range cases {
		if r := servicetest.Request(t, ch, cmd); r.GetError() != want {
			t.Errorf("%v: got %v, want %q", cmd, r, want)
		}
	}
}

// No hostile path can be subscribed to, and nothing outside the
// workspace is ever reported.
func TestHostilePaths(t *testing.T) {
	fx := hostile.Setup(t)
	f := serve(t, fx.Workspace)
	ch := servicetest.Open(t, f.url("mallory"), "fsevents", "")
	for _, p := range hostile.Paths() {
		fx.Relink(t)
		r := servicetest.Request(t, ch, &api.Command{Body: &api.Command_SubscribeFile{SubscribeFile: &api.SubscribeFile{Files: []*api.File{{Path: p}}}}})
		if r.GetError() == "" {
			t.Errorf("subscribeFile %q: %v", p, r)
		}
	}
	// Swap a subscribed directory for a link pointing out: the watch stays on
	// the directory that was inside.
	must(t, os.Mkdir(filepath.Join(fx.Workspace, "real"), 0o755))
	subscribe(t, ch, "real")
	must(t, os.Rename(filepath.Join(fx.Workspace, "real"), filepath.Join(fx.Workspace, "real.old")))
	must(t, os.Symlink(fx.Outside, filepath.Join(fx.Workspace, "real")))
	must(t, os.WriteFile(filepath.Join(fx.Outside, "dir/new"), nil, 0o644))
	must(t, os.WriteFile(filepath.Join(fx.Outside, "new"), nil, 0o644))
	servicetest.Quiet(t, ch, 200*time.Millisecond)
}
