package packagerwork_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/conman"
	"github.com/pid1/pid1/internal/jobs"
	"github.com/pid1/pid1/internal/packager"
	"github.com/pid1/pid1/services/internal/packagerwork"
	"github.com/pid1/pid1/services/packager2"
	"github.com/pid1/pid1/services/packager3"
	"github.com/pid1/pid1/test/kit/proctest"
	"github.com/pid1/pid1/test/kit/servicetest"
)

// ws is a workspace served by packager3 and packager2 on a real hub, both
// with the script backend: every channel of either shares its workspace.
type ws struct {
	t    *testing.T
	deps jobs.Deps
	hub  *conman.Hub
	url  func(user string) string
}

// newWS serves a workspace holding tool.sh, a spec file listing spec (a
// line each), index.txt and files.
func newWS(t *testing.T, files map[string]string, spec ...string) *ws {
	t.Helper()
	all := map[string]string{"tool.sh": toolScript, "index.txt": "tiny-a\ntiny-b\nother\n", specFile: ""}
	if len(spec) > 0 {
		all[specFile] = strings.Join(spec, "\n") + "\n"
	}
	for name, content := range files {
		all[name] = content
	}
	deps := servicetest.Deps(t, all)
	cfg := packagerwork.Config{Deps: deps, Backends: []packager.Backend{scriptBackend{}}}
	hub, url := servicetest.ServeHub(t, packager3.NewDescriptor(cfg), packager2.NewDescriptor(cfg))
	return &ws{t: t, deps: deps, hub: hub, url: url}
}

func (w *ws) path(name string) string { return filepath.Join(w.deps.Dir(), name) }

// read is a workspace file's content; "<missing>" if there is none.
func (w *ws) read(name string) string {
	b, err := os.ReadFile(w.path(name))
	if os.IsNotExist(err) {
		return "<missing>"
	}
	if err != nil {
		w.t.Fatal(err)
	}
	return string(b)
}

// journal is what tool.sh noted, a line each.
func (w *ws) journal() []string {
	j := w.read("journal")
	if j == "<missing>" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(j, "\n"), "\n")
}

// hold makes tool.sh wait when it runs for name, until release.
func (w *ws) hold(name string) (release func()) {
	w.t.Helper()
	fifo := w.path(name + ".fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		w.t.Fatal(err)
	}
	return func() {
		w.t.Helper()
		// Opening blocks until tool.sh's cat has the other end open;
		// closing it ends cat's input.
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			w.t.Fatal(err)
		}
		f.Close()
	}
}

// open attaches user to a channel of service (name "" for an anonymous
// one) and reads the attach state.
func (w *ws) open(user, service, name string) *client.Channel {
	w.t.Helper()
	return w.openOn(servicetest.Dial(w.t, w.url(user)), service, name)
}

func (w *ws) openOn(c *client.Client, service, name string) *client.Channel {
	w.t.Helper()
	ch := servicetest.OpenOn(w.t, c, service, name)
	if st := servicetest.Next(w.t, ch); st.GetBody() == nil || st.GetState() != api.State_Stopped {
		w.t.Fatalf("attach: %v", st)
	}
	return ch
}

func send(t *testing.T, ch *client.Channel, cmd *api.Command) {
	t.Helper()
	if err := ch.Send(context.Background(), cmd); err != nil {
		t.Fatal(err)
	}
}

func add(name string) *api.Command {
	return &api.Command{Ref: "add " + name, Body: &api.Command_PackageAdd{PackageAdd: &api.PackageAdd{Pkgs: []*api.Package{{Name: name}}}}}
}

func search(query string) *api.Command {
	return &api.Command{Body: &api.Command_PackageSearch{PackageSearch: &api.PackageSearch{Query: query}}}
}

func listSpec() *api.Command {
	return &api.Command{Body: &api.Command_PackageListSpecfile{PackageListSpecfile: &api.PackageListSpecfile{}}}
}

func ensure(ref string) *api.Command {
	return &api.Command{Ref: ref, Body: &api.Command_EnsurePackages{EnsurePackages: &api.EnsurePackages{Install: true}}}
}

// until reads ch until what it showed holds want, and returns that:
// output as it is, <Running> and <Stopped>, <ok REF>, <error REF: TEXT>.
func until(t *testing.T, ch *client.Channel, want string) string {
	t.Helper()
	return servicetest.Watch(t, ch, want, time.Minute, func(c *api.Command) string { // a guard against a hang, not a speed target
		switch b := c.Body.(type) {
		case *api.Command_State:
			return "<" + b.State.String() + ">"
		case *api.Command_Ok:
			return "<ok " + c.Ref + ">"
		case *api.Command_Error:
			return "<error " + c.Ref + ": " + b.Error + ">"
		}
		return ""
	})
}

// procs are the shell running tool.sh for name and its cat, from
// NAME.pids, both running.
func (w *ws) procs(name string) []proctest.Proc {
	w.t.Helper()
	var out []proctest.Proc
	for _, f := range strings.Fields(w.read(name + ".pids")) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			w.t.Fatalf("%s.pids: %v", name, err)
		}
		p, ok := proctest.Of(pid)
		if !ok {
			w.t.Fatalf("process %d of %s is not running", pid, name)
		}
		out = append(out, p)
	}
	if len(out) != 2 {
		w.t.Fatalf("%s.pids: %q", name, w.read(name+".pids"))
	}
	return out
}

// gone waits until none of ps runs.
func gone(t *testing.T, ps []proctest.Proc) {
	t.Helper()
	proctest.Gone(t, 30*time.Second, ps...)
}
