package packager2_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/internal/jobs"
	"github.com/pid1/pid1/test/kit/registries"
	"github.com/pid1/pid1/test/kit/servicetest"
)

// serveRun2 serves packager2 and a run2 and an interp2 that call it
// before a run (see serveRuns).
func serveRun2(t *testing.T, files map[string]string) (func(string) string, jobs.Deps, *registries.Set) {
	t.Helper()
	r := serveRuns(t, files)
	return r.url, r.deps, r.reg
}

const (
	program      = "import tiny_pkg\nprint(tiny_pkg.GREETING)\n"
	guessImports = "language = \"python3\"\n\n[packager.features]\nguessImports = true\n"
)

// until reads ch until its output (with <State>, <error ...> and
// <exec ...> marks) holds want, and returns it; installing takes a while
// on a busy machine.
func until(t *testing.T, ch *client.Channel, want string) string {
	t.Helper()
	return servicetest.Watch(t, ch, want, 4*time.Minute, func(c *api.Command) string {
		if info := c.GetExecInfo(); info != nil {
			return "<exec " + strings.Join(info.Command, " ") + ">"
		}
		return servicetest.StateAndErrorMarks(c)
	})
}

func runMain() *api.Command { return &api.Command{Body: &api.Command_RunMain{RunMain: &api.RunMain{}}} }

// openRun2 attaches to run2 (or interp2) and reads its attach state.
func openRun2(t *testing.T, url string, service ...string) *client.Channel {
	t.Helper()
	name := append(service, "run2")[0]
	ch := servicetest.Open(t, url, name, name)
	if st := servicetest.Next(t, ch); st.GetState() != api.State_Stopped {
		t.Fatalf("attach: %v", st)
	}
	return ch
}

// With [packager.features] guessImports, runMain first has packager2
// install what the program imports: the tools' output on run2's terminal
// (and to packager2's watchers), then the program runs with the package.
func TestRun2EnsuresPackagesBeforeARun(t *testing.T) {
	t.Parallel()
	url, deps, _ := serveRun2(t, map[string]string{"main.py": program, ".replit": guessImports})
	watcher := open(t, url("ro:bob"))
	ch := openRun2(t, url("ada"))
	if err := ch.Send(context.Background(), runMain()); err != nil {
		t.Fatal(err)
	}
	out := until(t, ch, "hello from tiny-pkg 1.0.0")
	install, exec := strings.Index(out, "-m pip install tiny_pkg"), strings.Index(out, "<exec ")
	if !strings.HasPrefix(out, "<Running>") || install < 0 || exec < install || !strings.Contains(out, "Successfully installed") {
		t.Errorf("run2's output does not show pip install before the program: %q", out)
	}
	if got := events(t, watcher); len(got) != 3 || got[0] != "Running" || !strings.Contains(got[1], "-m pip install tiny_pkg") {
		t.Errorf("packager2's watcher saw %q", got)
	}
	if b, _ := os.ReadFile(filepath.Join(deps.Dir(), "requirements.txt")); string(b) != "tiny_pkg\n" {
		t.Errorf("requirements.txt: %q", b)
	}
	until(t, ch, "<Stopped>")
	// Nothing is missing the second time: the spec's requirements are
	// already satisfied and nothing is added.
	if err := ch.Send(context.Background(), runMain()); err != nil {
		t.Fatal(err)
	}
	if out := until(t, ch, "hello from tiny-pkg 1.0.0"); strings.Contains(out, "pip install tiny_pkg") || !strings.Contains(out, "Requirement already satisfied: tiny_pkg") {
		t.Errorf("the second run: %q", out)
	}
}

// Without guessImports nothing is installed: the program fails as it
// would.
func TestRun2WithoutGuessImportsInstallsNothing(t *testing.T) {
	t.Parallel()
	url, deps, _ := serveRun2(t, map[string]string{"main.py": program, ".replit": "language = \"python3\"\n"})
	ch := openRun2(t, url("ada"))
	if err := ch.Send(context.Background(), runMain()); err != nil {
		t.Fatal(err)
	}
	if out := until(t, ch, "No module named 'tiny_pkg'"); strings.Contains(out, "pip install") {
		t.Errorf("installed without guessImports: %q", out)
	}
	if _, err := os.Stat(filepath.Join(deps.Dir(), "requirements.txt")); err == nil {
		t.Error("a requirements.txt appeared")
	}
}

// interp2 does the same before runMain, then runs the main file in its
// REPL, whose variables stay.
func TestInterp2EnsuresPackagesBeforeARun(t *testing.T) {
	t.Parallel()
	url, _, _ := serveRun2(t, map[string]string{"main.py": program + "x = 21\n", ".replit": guessImports})
	ch := openRun2(t, url("ada"), "interp2")
	if err := ch.Send(context.Background(), runMain()); err != nil {
		t.Fatal(err)
	}
	out := until(t, ch, "hello from tiny-pkg 1.0.0")
	if install, hello := strings.Index(out, "-m pip install tiny_pkg"), strings.Index(out, "hello from"); install < 0 || install > hello {
		t.Errorf("interp2's output does not show pip install before the program: %q", out)
	}
	until(t, ch, "<Stopped>")
	servicetest.Input(t, ch, "x*2\r")
	until(t, ch, "42")
}
