package packagerwork_test

import (
	"slices"
	"testing"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/test/kit/servicetest"
)

// packager2's ensurePackages is its sender's alone: when the sender leaves
// while it runs (as run2's session does when its run is stopped), its
// tool's process group is killed and the files are put back; those still
// attached see why it ended.
func TestSenderLeavingStopsItsRunningEnsure(t *testing.T) {
	t.Parallel()
	w := newWS(t, map[string]string{lockFile: "locked before\n"}, "before")
	watcher := w.open("ro:bob", "packager2", "packager2")
	ada := servicetest.Dial(t, w.url("ada"))
	ch := w.openOn(ada, "packager2", "packager2")
	w.hold("all") // never released
	send(t, ch, ensure("e1"))
	until(t, watcher, "holding all")
	ps := w.procs("all")
	if got := w.read(lockFile); got != "installed\n" {
		t.Fatalf("the lock file while it installs: %q", got)
	}
	ada.Close()
	until(t, watcher, "stopped: the session that asked for it left; the spec and lock files are as they were\n<Stopped>")
	gone(t, ps)
	if got := w.read(lockFile); got != "locked before\n" {
		t.Errorf("the lock file after the sender left: %q", got)
	}
	if got := w.read(specFile); got != "before\n" {
		t.Errorf("the spec after the sender left: %q", got)
	}
	if j := w.journal(); !slices.Equal(j, []string{"install all: start"}) {
		t.Errorf("the journal: %q", j)
	}
}

// A queued ensurePackages whose sender leaves is dropped; the others'
// operations go on: another sender's ensurePackages, and a packager3
// operation whose own sender left too (packager3's do not stop with their
// sender).
func TestSenderLeavingDropsOnlyItsOwn(t *testing.T) {
	t.Parallel()
	w := newWS(t, nil, "before")
	watcher := w.open("ro:watcher", "packager2", "packager2")
	bob := w.open("bob", "packager2", "packager2")
	adaClient := servicetest.Dial(t, w.url("ada"))
	ada := w.openOn(adaClient, "packager2", "packager2")
	cyClient := servicetest.Dial(t, w.url("cy"))
	cy := w.openOn(cyClient, "packager3", "packager3")
	release := w.hold("hold-k")
	send(t, cy, add("hold-k"))
	until(t, cy, "holding hold-k")
	ps := w.procs("hold-k")
	send(t, bob, ensure("b1")) // waits for hold-k
	send(t, ada, ensure("a1")) // waits for b1
	before := servicetest.Sessions(t, w.hub)
	adaClient.Close()
	cyClient.Close()
	servicetest.WaitSessions(t, w.hub, before-2)
	// Answered after packager2's actor was told that ada left.
	if r := servicetest.Request(t, bob, &api.Command{Body: &api.Command_Ping{Ping: &api.Ping{}}}); r.GetError() == "" {
		t.Fatalf("ping: %v", r)
	}
	for _, p := range ps {
		if !p.Alive() {
			t.Fatalf("cy's add was stopped when cy left (process %d)", p.Pid)
		}
	}
	release()
	until(t, bob, "<ok b1><Stopped>")
	until(t, watcher, "<Running>--> sh tool.sh install all\n")
	until(t, watcher, "<Stopped>")
	servicetest.Quiet(t, watcher, time.Second) // a1 would start at once
	want := []string{"add hold-k: start", "add hold-k: end", "install all: start", "install all: end"}
	if j := w.journal(); !slices.Equal(j, want) {
		t.Errorf("the journal: %q, want %q", j, want)
	}
	if got := w.read(specFile); got != "before\nhold-k\n" {
		t.Errorf("the spec after cy's add: %q", got)
	}
}
