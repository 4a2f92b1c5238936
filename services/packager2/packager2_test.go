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
	"github.com/pid1/pid1/services/packager2"
	"github.com/pid1/pid1/test/kit/registries"
	"github.com/pid1/pid1/test/kit/servicetest"
)

func serve(t *testing.T, files map[string]string) (func(string) string, jobs.Deps) {
	t.Helper()
	reg := registries.Shared(t)
	deps := jobs.Deps{Reaper: servicetest.Reaper(t), Workspace: servicetest.Workspace(t, files), Env: reg.Env(t)}
	return servicetest.Serve(t, packager2.Descriptor(deps)), deps
}

func open(t *testing.T, url string) *client.Channel {
	t.Helper()
	ch := servicetest.Open(t, url, "packager2", "packager2")
	if st := servicetest.Next(t, ch); st.GetBody() == nil || st.GetState() != api.State_Stopped {
		t.Fatalf("attach: %v", st)
	}
	return ch
}

func ensure(install bool, file string) *api.Command {
	e := &api.EnsurePackages{Install: install}
	if file != "" {
		e.File = &api.File{Path: file}
	}
	return &api.Command{Ref: "e1", Body: &api.Command_EnsurePackages{EnsurePackages: e}}
}

// events reads ch until state Stopped, as "Running", "output TEXT" (joined),
// "ok", "error TEXT", "Stopped".
func events(t *testing.T, ch *client.Channel) []string {
	t.Helper()
	var out []string
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			out = append(out, "output "+text.String())
			text.Reset()
		}
	}
	deadline := time.After(4 * time.Minute)
	for {
		select {
		case c := <-ch.Stream():
			switch b := c.Body.(type) {
			case *api.Command_Output:
				text.WriteString(b.Output)
				continue
			case *api.Command_State:
				flush()
				out = append(out, b.State.String())
				if b.State == api.State_Stopped {
					return out
				}
			case *api.Command_Ok:
				flush()
				out = append(out, "ok")
			case *api.Command_Error:
				flush()
				out = append(out, "error "+b.Error)
			}
		case <-deadline:
			t.Fatalf("no Stopped within 4 minutes: %q", out)
		}
	}
}

// ensurePackages with install adds what the code imports; everyone sees
// the state and output, only the sender the ok.
func TestEnsureInstalls(t *testing.T) {
	t.Parallel()
	url, deps := serve(t, map[string]string{"index.js": "const a = require('tiny-a')\nconst fs = require('node:fs')\nconsole.log(a)\n"})
	sender := open(t, url("ada"))
	watcher := open(t, url("ro:bob"))
	if err := sender.Send(context.Background(), ensure(true, "")); err != nil {
		t.Fatal(err)
	}
	got := events(t, sender)
	if len(got) != 4 || got[0] != "Running" || !strings.Contains(got[1], "--> npm install tiny-a") || got[2] != "ok" || got[3] != "Stopped" {
		t.Fatalf("the sender saw %q", got)
	}
	seen := events(t, watcher)
	if len(seen) != 3 || seen[0] != "Running" || seen[1] != got[1] || seen[2] != "Stopped" {
		t.Fatalf("the watcher saw %q", seen)
	}
	if _, err := os.Stat(filepath.Join(deps.Dir(), "node_modules", "tiny-a", "package.json")); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(deps.Dir(), "package.json"))
	if !strings.Contains(string(b), `"tiny-a": "^1.0.0"`) {
		t.Fatalf("package.json: %s", b)
	}
}

// Without install it only says what it would add, for the file named
// (or the whole workspace); nothing changes.
func TestEnsureWithoutInstallOnlyGuesses(t *testing.T) {
	t.Parallel()
	url, deps := serve(t, map[string]string{
		"main.py":         "import os, sys\nimport yaml\nfrom bs4 import BeautifulSoup\nimport helper\n",
		"helper.py":       "import tiny_pkg  # upm package(tiny-pkg)\n",
		"lib/__init__.py": "",
	})
	ch := open(t, url("ada"))
	for file, want := range map[string]string{
		"main.py":   "would add: PyYAML beautifulsoup4\n",
		"helper.py": "would add: tiny-pkg\n",
		"":          "would add: PyYAML beautifulsoup4 tiny-pkg\n",
	} {
		if err := ch.Send(context.Background(), ensure(false, file)); err != nil {
			t.Fatal(err)
		}
		got := events(t, ch)
		if len(got) != 4 || got[1] != "output "+want || got[2] != "ok" {
			t.Errorf("ensurePackages for %q: %q, want output %q", file, got, want)
		}
	}
	es, _ := os.ReadDir(deps.Dir())
	if len(es) != 3 {
		t.Fatalf("the workspace changed: %v", es)
	}
}

func TestBadRequests(t *testing.T) {
	t.Parallel()
	url, _ := serve(t, map[string]string{"index.js": ""})
	ch := open(t, url("ada"))
	if r := servicetest.Request(t, ch, &api.Command{Body: &api.Command_Ping{Ping: &api.Ping{}}}); r.GetError() != "packager2 takes ensurePackages, not ping" {
		t.Errorf("ping: %v", r)
	}
	if r := servicetest.Request(t, ch, ensure(true, "../outside.js")); !strings.Contains(r.GetError(), "../outside.js") {
		t.Errorf("a path outside the workspace: %v", r)
	}
	ro := open(t, url("ro:viewer"))
	if r := servicetest.Request(t, ro, ensure(true, "")); !strings.HasPrefix(r.GetError(), "read-only:") {
		t.Errorf("read-only: %v", r)
	}
}
