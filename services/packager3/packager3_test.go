package packager3_test

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pid1/pid1/api"
)

// Add records the package in the spec and lock files and installs it so
// that the program runs through run2; the spec lists it; a fresh checkout
// of the spec and lock files installs the same; remove takes it out.
func TestAddRunListInstallRemove(t *testing.T) {
	for _, e := range ecosystems {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWS(t, e.program)
			ch := w.open("ada", "packager3", "packager3")
			watcher := w.open("bob", "packager3", "packager3")
			x := do(t, ch, add(e.pkg))
			ok(t, "add", x)
			if !slices.Equal(x.states, []string{"Running", "Stopped"}) {
				t.Errorf("add's states: %q", x.states)
			}
			if !strings.Contains(x.output, "--> ") {
				t.Errorf("add's output does not show the tool's command: %q", x.output)
			}
			if got := w.read(e.spec); !strings.Contains(got, e.specHas) {
				t.Fatalf("%s after add:\n%s", e.spec, got)
			}
			for _, want := range e.lockHas {
				if got := w.read(e.lock); !strings.Contains(got, want) {
					t.Fatalf("%s after add has no %s:\n%s", e.lock, want, got)
				}
			}
			// The watcher saw the same run.
			if states, out := watch(t, watcher); !slices.Equal(states, x.states) || out != x.output {
				t.Errorf("the watcher saw %q and %q; the sender %q and %q", states, out, x.states, x.output)
			}
			if got := w.run(); !strings.Contains(got, e.installed) {
				t.Fatalf("the program after add printed %q, want %q", got, e.installed)
			}
			if got := specOf(t, ch); !slices.ContainsFunc(got, listsPkg(e.pkg)) {
				t.Fatalf("packageListSpecfile after add: %q", got)
			}

			// A fresh checkout: the spec and lock files only.
			files := map[string]string{e.spec: w.read(e.spec)}
			if e.lock != "" {
				files[e.lock] = w.read(e.lock)
			}
			maps.Copy(files, e.program)
			fresh := newWS(t, files)
			fch := fresh.open("ada", "packager3", "packager3")
			inst := do(t, fch, install(false))
			ok(t, "install", inst)
			if inst.reply.GetPackageInstallResponse() == nil {
				t.Fatalf("install with useNewResponse: %v", inst.reply)
			}
			if got := fresh.run(); !strings.Contains(got, e.installed) {
				t.Fatalf("the program after install in a fresh checkout printed %q", got)
			}
			for name, content := range files {
				if got := fresh.read(name); got != content && name != e.lock {
					t.Errorf("install changed %s:\n%s", name, got)
				}
			}

			ok(t, "remove", do(t, ch, remove(e.pkg)))
			if got := specOf(t, ch); slices.ContainsFunc(got, listsPkg(e.pkg)) {
				t.Fatalf("packageListSpecfile after remove: %q", got)
			}
			if got := w.read(e.spec); strings.Contains(got, e.specHas) {
				t.Fatalf("%s after remove:\n%s", e.spec, got)
			}
		})
	}
}

// listsPkg reports whether a packageListSpecfile entry (see specOf) is
// pkg's, with a spec or without (a bare requirement in requirements.txt).
func listsPkg(pkg string) func(string) bool {
	return func(s string) bool { return s == pkg || strings.HasPrefix(s, pkg+" ") }
}

// packageInstall guesses what the program imports, adds it and says so;
// after it the program runs.
func TestInstallGuessesImports(t *testing.T) {
	for _, e := range ecosystems {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWS(t, e.program)
			ch := w.open("ada", "packager3", "packager3")
			x := do(t, ch, install(true))
			ok(t, "install", x)
			r := x.reply.GetPackageInstallResponse()
			if r == nil || !slices.Equal(r.GuessedPkgs, []string{guessName(e)}) {
				t.Fatalf("install's response: %v (output %s)", x.reply, x.output)
			}
			if r.TotalDurationMs < r.UpmGuessDurationMs+r.UpmAddDurationMs || r.UpmAddDurationMs == 0 {
				t.Errorf("durations do not add up: %v", r)
			}
			if got := w.run(); !strings.Contains(got, e.installed) {
				t.Fatalf("the program after install printed %q", got)
			}
			// Nothing is missing any more.
			x = do(t, ch, install(true))
			ok(t, "second install", x)
			if g := x.reply.GetPackageInstallResponse().GetGuessedPkgs(); len(g) != 0 {
				t.Fatalf("the second install guessed %q", g)
			}
		})
	}
}

// guessName is what the guess names: Python's import name (pip
// normalises it), the others' package.
func guessName(e ecosystem) string {
	if e.name == "python" {
		return "tiny_pkg"
	}
	return e.pkg
}

// A package the registry does not have: the tool's own message, and the
// spec and lock files as they were, byte for byte.
func TestAddMissingLeavesFilesAlone(t *testing.T) {
	for _, e := range ecosystems {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWS(t, e.program)
			ch := w.open("ada", "packager3", "packager3")
			// In a workspace without a spec file, the one the tool's
			// first step made (npm init, go mod init) goes again.
			x := do(t, ch, add(e.missing()))
			if !strings.Contains(x.reply.GetError(), e.missingErr) {
				t.Fatalf("adding a missing package: %v, want an error with %q\noutput:\n%s", x.reply, e.missingErr, x.output)
			}
			for _, name := range []string{e.spec, e.lock} {
				if name == "" {
					continue
				}
				if got := w.read(name); got != "<missing>" {
					t.Errorf("%s was left behind:\n%s", name, got)
				}
			}
			ok(t, "add", do(t, ch, add(e.pkg)))
			before := map[string]string{e.spec: w.read(e.spec)}
			if e.lock != "" {
				before[e.lock] = w.read(e.lock)
			}
			x = do(t, ch, add(e.missing()))
			if !strings.Contains(x.reply.GetError(), e.missingErr) {
				t.Fatalf("adding a missing package: %v, want an error with %q\noutput:\n%s", x.reply, e.missingErr, x.output)
			}
			for name, content := range before {
				if got := w.read(name); got != content {
					t.Errorf("%s changed:\n%s\nwas:\n%s", name, got, content)
				}
			}
			x = do(t, ch, remove("not-there"))
			if !strings.Contains(x.reply.GetError(), "not-there is not") {
				t.Errorf("removing what is not there: %v", x.reply)
			}
		})
	}
}

// Two clients add and remove at once: the operations run one after the
// other, and the spec holds the result of both.
func TestConcurrentAddAndRemove(t *testing.T) {
	for _, e := range ecosystems {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWS(t, e.program)
			a := w.open("ada", "packager3", "packager3")
			b := w.open("bob", "packager3", "packager3")
			watcher := w.open("cy", "packager3", "packager3")
			ok(t, "add x", do(t, a, add(e.x)))
			var wg sync.WaitGroup
			var ra, rb exchange
			wg.Go(func() { ra = do(t, a, add(e.y)) })
			wg.Go(func() { rb = do(t, b, remove(strings.Fields(e.x)[0])) })
			wg.Wait()
			ok(t, "add y", ra)
			ok(t, "remove x", rb)
			// The watcher saw three runs, never two at once.
			var states []string
			for len(states) < 6 {
				c := <-watcher.Stream()
				if st, ok := c.Body.(*api.Command_State); ok {
					states = append(states, st.State.String())
				}
			}
			if !slices.Equal(states, []string{"Running", "Stopped", "Running", "Stopped", "Running", "Stopped"}) {
				t.Fatalf("the watcher saw %q", states)
			}
			if got := specOf(t, a); !slices.Equal(got, []string{e.yListed}) {
				t.Fatalf("the spec after both: %q, want %q", got, e.yListed)
			}
		})
	}
}

// Closing the channel while the tool runs ends it, and the spec and lock
// files are as they were (in a workspace that had none, the ones npm init
// or go mod init made are gone); the next operation (on another channel)
// runs.
func TestCloseMidInstallLeavesFilesWhole(t *testing.T) {
	for _, c := range []struct {
		e         ecosystem
		withFiles bool
	}{{ecosystems[0], false}, {ecosystems[0], true}, {ecosystems[1], true}, {ecosystems[2], false}, {ecosystems[2], true}} {
		e, withFiles := c.e, c.withFiles
		name := e.name + "/fresh"
		if withFiles {
			name = e.name + "/with-files"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var env []string
			if e.name == "go" {
				env = []string{"GOPROXY=" + registriesFor(t).GoProxyHTTP, "GOFLAGS=-modcacherw"}
			}
			w := newWS(t, e.program, env...)
			a := w.open("ada", "packager3", "")
			other := w.open("bob", "packager3", "")
			if withFiles {
				ok(t, "add", do(t, a, add(e.x)))
			}
			before := map[string]string{e.spec: w.read(e.spec)}
			if e.lock != "" {
				before[e.lock] = w.read(e.lock)
			}
			listed := specOf(t, a)
			started, release := w.reg.Hold(e.gate)
			defer release()
			if err := a.Send(context.Background(), add(e.slow)); err != nil {
				t.Fatal(err)
			}
			for waiting, guard := true, time.After(3*time.Minute); waiting; {
				select {
				case <-started:
					waiting = false
				case r := <-a.Stream(): // states and the tool's output, until it ends
					if r.GetOk() != nil || r.GetError() != "" {
						t.Fatalf("the add ended before it reached the held package: %v", r)
					}
				case <-guard: // a guard against a hang, not a speed target
					t.Fatal("the add never reached the held package")
				}
			}
			if _, err := a.Close(context.Background(), api.CloseChannel_CLOSE); err != nil {
				t.Fatal(err)
			}
			// The other channel's request waits for the cancelled one to
			// have put the files back.
			if got := specOf(t, other); !slices.Equal(got, listed) {
				t.Fatalf("the spec after the cancelled add: %q, want %q", got, listed)
			}
			for name, content := range before {
				if got := w.read(name); got != content {
					t.Errorf("%s after the cancelled add:\n%s\nwas:\n%s", name, got, content)
				}
			}
		})
	}
}
