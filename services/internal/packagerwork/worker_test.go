package packagerwork_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/test/kit/servicetest"
)

// Every goroutine the services started has ended when the tests are done.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Operations of different channels, of both services, on one workspace
// run one at a time; each channel's in the order sent. While the first
// holds the workspace the others do not start.
func TestOperationsOfChannelsTakeTurns(t *testing.T) {
	t.Parallel()
	w := newWS(t, nil)
	a := w.open("ada", "packager3", "")
	c := w.open("cy", "packager3", "")
	p2 := w.open("bob", "packager2", "packager2")
	release := w.hold("hold-1")
	send(t, a, add("hold-1"))
	send(t, a, add("a2"))
	until(t, a, "holding hold-1")
	send(t, c, add("c1"))
	send(t, p2, ensure("e1"))
	// Neither starts while hold-1 runs (a guard: they would start at once).
	servicetest.Quiet(t, c, time.Second)
	servicetest.Quiet(t, p2, time.Second)
	release()
	until(t, a, "<ok add a2><Stopped>")
	until(t, c, "<ok add c1><Stopped>")
	until(t, p2, "<ok e1><Stopped>")
	j := w.journal()
	if len(j) != 8 {
		t.Fatalf("the journal: %q", j)
	}
	var order []string
	for i := 0; i < len(j); i += 2 {
		op, _ := strings.CutSuffix(j[i], ": start")
		if j[i+1] != op+": end" {
			t.Fatalf("%q ran beside another: %q", op, j)
		}
		order = append(order, op)
	}
	if i, k := slices.Index(order, "add hold-1"), slices.Index(order, "add a2"); i != 0 || k < i {
		t.Errorf("ada's operations ran as %q", order)
	}
	if !slices.Contains(order, "add c1") || !slices.Contains(order, "install all") {
		t.Errorf("the operations that ran: %q", order)
	}
}

// A failing operation puts the spec and lock files back byte for byte
// (the lock file, which was not there, is gone), though the tool saw
// them changed; one that succeeds keeps its changes.
func TestFailedOperationPutsFilesBack(t *testing.T) {
	t.Parallel()
	spec := "kept\r\n\tas written, no newline at the end"
	w := newWS(t, map[string]string{specFile: spec})
	a := w.open("ada", "packager3", "")
	send(t, a, add("fail-x"))
	out := until(t, a, "<Stopped>")
	if !strings.Contains(out, "tool: add fail-x (spec: kept") || !strings.Contains(out, "fail-x )") {
		t.Errorf("the tool did not see the changed spec: %q", out)
	}
	if _, e, ok := strings.Cut(out, "<error add fail-x: "); !ok || !strings.Contains(e, "no such package: fail-x") {
		t.Errorf("the error does not carry the tool's words: %q", out)
	}
	if got := w.read(specFile); got != spec {
		t.Errorf("the spec after the failed add: %q, want %q", got, spec)
	}
	if got := w.read(lockFile); got != "<missing>" {
		t.Errorf("the lock file after the failed add: %q", got)
	}
	send(t, a, add("ok-y"))
	until(t, a, "<ok add ok-y><Stopped>")
	if got := w.read(specFile); !strings.HasSuffix(got, "\nok-y\n") {
		t.Errorf("the spec after the add: %q", got)
	}
	if got := w.read(lockFile); !strings.HasPrefix(got, "added ") {
		t.Errorf("the lock file after the add: %q", got)
	}
}

// Closing the channel while an operation runs kills its tool's process
// group and puts the files back; the operation another channel queued
// meanwhile runs after that.
func TestClosingTheChannelStopsItsOperation(t *testing.T) {
	t.Parallel()
	w := newWS(t, map[string]string{lockFile: "locked before\n"}, "before")
	a := w.open("ada", "packager3", "")
	other := w.open("bob", "packager3", "")
	w.hold("hold-z") // never released
	send(t, a, add("hold-z"))
	until(t, a, "holding hold-z")
	ps := w.procs("hold-z")
	if got := w.read(specFile); got != "before\nhold-z\n" {
		t.Fatalf("the spec while the add runs: %q", got)
	}
	if _, err := a.Close(context.Background(), api.CloseChannel_CLOSE); err != nil {
		t.Fatal(err)
	}
	// The other channel's request waits until the add has ended.
	r := servicetest.Request(t, other, listSpec())
	if got := r.GetPackageListSpecfileResp().GetPkgs(); len(got) != 1 || got[0].Name != "before" {
		t.Errorf("the spec listed after the close: %v", r)
	}
	gone(t, ps)
	if got := w.read(specFile); got != "before\n" {
		t.Errorf("the spec after the close: %q", got)
	}
	if got := w.read(lockFile); got != "locked before\n" {
		t.Errorf("the lock file after the close: %q", got)
	}
	if j := w.journal(); !slices.Equal(j, []string{"add hold-z: start"}) {
		t.Errorf("the journal: %q", j)
	}
}

// Everyone attached sees Running, the tool's output and Stopped; only the
// sender gets the answer. One who attaches meanwhile is told it runs.
func TestStateAndOutputReachEveryone(t *testing.T) {
	t.Parallel()
	w := newWS(t, nil)
	ada := w.open("ada", "packager3", "packager3")
	bob := w.open("bob", "packager3", "packager3")
	carol := w.open("ro:carol", "packager3", "packager3")
	release := w.hold("hold-s")
	send(t, ada, add("hold-s"))
	want := "<Running>--> sh tool.sh add hold-s\ntool: add hold-s (spec: hold-s )\nholding hold-s\n"
	type session struct {
		name string
		ch   *client.Channel
	}
	all := []session{{"ada", ada}, {"bob", bob}, {"carol", carol}}
	for _, s := range all {
		if got := until(t, s.ch, "holding hold-s\n"); got != want {
			t.Errorf("%s saw %q, want %q", s.name, got, want)
		}
	}
	dave := servicetest.Open(t, w.url("ro:dave"), "packager3", "packager3")
	if st := servicetest.Next(t, dave); st.GetState() != api.State_Running {
		t.Errorf("dave attached while it ran and got %v", st)
	}
	release()
	all = append(all, session{"dave", dave})
	for _, s := range all {
		want := "<Stopped>"
		if s.name == "ada" {
			want = "<ok add hold-s><Stopped>" // the sender
		}
		if got := until(t, s.ch, "<Stopped>"); got != want {
			t.Errorf("%s saw %q, want %q", s.name, got, want)
		}
	}
}

// A search runs while a long operation holds the queue, on its channel
// and on another: it runs a tool of its own (grep) beside the held one.
func TestQueryRunsBesideALongOperation(t *testing.T) {
	t.Parallel()
	w := newWS(t, nil)
	a := w.open("ada", "packager3", "")
	b := w.open("ro:bob", "packager3", "")
	release := w.hold("hold-q")
	send(t, a, add("hold-q"))
	until(t, a, "holding hold-q")
	ps := w.procs("hold-q")
	for _, ch := range []*client.Channel{a, b} {
		before, r := servicetest.Exchange(t, ch, search("tiny"))
		var got []string
		for _, p := range r.GetPackageSearchResp().GetResults() {
			got = append(got, p.Name)
		}
		if !slices.Equal(got, []string{"tiny-a", "tiny-b"}) {
			t.Errorf("search: %v", r)
		}
		for _, c := range before {
			if c.GetState() == api.State_Stopped {
				t.Errorf("the add ended before the search's answer")
			}
		}
	}
	for _, p := range ps {
		if !p.Alive() {
			t.Errorf("the held tool (%d) is not running any more", p.Pid)
		}
	}
	release()
	until(t, a, "<ok add hold-q><Stopped>")
}

// A read-only session may search and list but not change anything, on
// either service; nothing runs.
func TestReadOnlyIsRefused(t *testing.T) {
	t.Parallel()
	w := newWS(t, nil, "before")
	p3 := w.open("ro:viewer", "packager3", "packager3")
	p2 := w.open("ro:viewer", "packager2", "packager2")
	install := &api.Command{Body: &api.Command_PackageInstall{PackageInstall: &api.PackageInstall{}}}
	for _, c := range []struct {
		ch      *client.Channel
		service string
		cmd     *api.Command
	}{{p3, "packager3", add("x")}, {p3, "packager3", install}, {p2, "packager2", ensure("e")}} {
		if r := servicetest.Request(t, c.ch, c.cmd); r.GetError() != servicetest.ReadOnlyRefusal(c.cmd, c.service) {
			t.Errorf("%s from a read-only session: %v", c.cmd, r)
		}
	}
	if r := servicetest.Request(t, p3, search("tiny")); len(r.GetPackageSearchResp().GetResults()) != 2 {
		t.Errorf("search from a read-only session: %v", r)
	}
	if r := servicetest.Request(t, p3, listSpec()); len(r.GetPackageListSpecfileResp().GetPkgs()) != 1 {
		t.Errorf("packageListSpecfile from a read-only session: %v", r)
	}
	if j := w.journal(); j != nil {
		t.Errorf("a tool ran: %q", j)
	}
	if got, lock := w.read(specFile), w.read(lockFile); got != "before\n" || lock != "<missing>" {
		t.Errorf("the files changed: %q, %q", got, lock)
	}
}
