package packager3_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/internal/jobs"
	"github.com/pid1/pid1/services/packager2"
	"github.com/pid1/pid1/services/packager3"
	"github.com/pid1/pid1/services/run2"
	"github.com/pid1/pid1/test/kit/registries"
	"github.com/pid1/pid1/test/kit/servicetest"
)

// ws is a workspace served by packager3, packager2 and run2 on a hub,
// whose programs' configuration points at the local registries.
type ws struct {
	t    *testing.T
	reg  *registries.Set
	deps jobs.Deps
	url  func(user string) string
}

func newWS(t *testing.T, files map[string]string, env ...string) *ws {
	t.Helper()
	reg := registries.Shared(t)
	deps := jobs.Deps{Reaper: servicetest.Reaper(t), Workspace: servicetest.Workspace(t, files), Env: append(reg.Env(t), env...)}
	url := servicetest.Serve(t, packager3.Descriptor(deps), packager2.Descriptor(deps), run2.Descriptor(deps))
	return &ws{t: t, reg: reg, deps: deps, url: url}
}

func (w *ws) path(name string) string { return filepath.Join(w.deps.Dir(), name) }

// read is a workspace file's content; "<missing>" if it does not exist.
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

// open attaches user to the shared packager3 channel (or another
// service's, or an anonymous one) and reads the attach state.
func (w *ws) open(user, service, name string) *client.Channel {
	w.t.Helper()
	ch := servicetest.Open(w.t, w.url(user), service, name)
	if st := servicetest.Next(w.t, ch); st.GetBody() == nil || st.GetState() != api.State_Stopped {
		w.t.Fatalf("attach: %v", st)
	}
	return ch
}

// exchange is one request and what came with it.
type exchange struct {
	reply  *api.Command
	output string   // the output before the reply
	states []string // Running / Stopped, in order, up to Stopped
	hints  []string
}

var refs atomic.Int64

// do sends cmd and reads the channel until its reply and, if the request
// ran (state Running), until Stopped; tools are slow on a loaded machine.
func do(t *testing.T, ch *client.Channel, cmd *api.Command) exchange {
	t.Helper()
	ref := fmt.Sprintf("t%d", refs.Add(1))
	cmd.Ref = ref
	if err := ch.Send(context.Background(), cmd); err != nil {
		t.Fatal(err)
	}
	var e exchange
	var out strings.Builder
	deadline := time.After(4 * time.Minute)
	for {
		select {
		case c, ok := <-ch.Stream():
			if !ok {
				t.Fatalf("the stream ended before the reply to %v", cmd)
			}
			switch b := c.Body.(type) {
			case *api.Command_Output:
				out.WriteString(b.Output)
			case *api.Command_State:
				e.states = append(e.states, b.State.String())
			case *api.Command_Hint:
				e.hints = append(e.hints, b.Hint.Text)
			}
			if c.Ref == ref {
				e.reply, e.output = c, out.String()
			}
			running := len(e.states) > 0 && e.states[0] == "Running"
			if e.reply != nil && (!running || e.states[len(e.states)-1] == "Stopped") {
				return e
			}
		case <-deadline:
			t.Fatalf("no reply to %v within 4 minutes; output so far:\n%s", cmd, out.String())
		}
	}
}

// ok fails the test unless e's reply is ok (or the new-style response).
func ok(t *testing.T, what string, e exchange) {
	t.Helper()
	if e.reply.GetError() != "" || e.reply.Body == nil {
		t.Fatalf("%s: %v\noutput:\n%s", what, e.reply, e.output)
	}
}

func pkgs(names ...string) []*api.Package {
	var out []*api.Package
	for _, n := range names {
		name, spec, _ := strings.Cut(n, " ")
		out = append(out, &api.Package{Name: name, Spec: spec})
	}
	return out
}

func add(names ...string) *api.Command {
	return &api.Command{Body: &api.Command_PackageAdd{PackageAdd: &api.PackageAdd{Pkgs: pkgs(names...)}}}
}

func remove(names ...string) *api.Command {
	return &api.Command{Body: &api.Command_PackageRemove{PackageRemove: &api.PackageRemove{Pkgs: pkgs(names...)}}}
}

func install(guess bool) *api.Command {
	return &api.Command{Body: &api.Command_PackageInstall{PackageInstall: &api.PackageInstall{DisableGuess: !guess, UseNewResponse: true}}}
}

func search(q string) *api.Command {
	return &api.Command{Body: &api.Command_PackageSearch{PackageSearch: &api.PackageSearch{Query: q}}}
}

func info(name string) *api.Command {
	return &api.Command{Body: &api.Command_PackageInfo{PackageInfo: &api.PackageInfo{Pkg: &api.Package{Name: name}}}}
}

func listSpec() *api.Command {
	return &api.Command{Body: &api.Command_PackageListSpecfile{PackageListSpecfile: &api.PackageListSpecfile{}}}
}

// specOf lists the spec file through packager3: "name spec" each.
func specOf(t *testing.T, ch *client.Channel) []string {
	t.Helper()
	e := do(t, ch, listSpec())
	var out []string
	for _, p := range e.reply.GetPackageListSpecfileResp().GetPkgs() {
		out = append(out, strings.TrimSpace(p.Name+" "+p.Spec))
	}
	if e.reply.GetPackageListSpecfileResp() == nil {
		t.Fatalf("packageListSpecfile: %v", e.reply)
	}
	return out
}

// run runs the workspace's program through run2 and returns its output.
func (w *ws) run() string {
	w.t.Helper()
	ch := w.open("ada", "run2", "run2")
	if err := ch.Send(context.Background(), &api.Command{Body: &api.Command_RunMain{RunMain: &api.RunMain{}}}); err != nil {
		w.t.Fatal(err)
	}
	var out strings.Builder
	running := false
	deadline := time.After(3 * time.Minute)
	for {
		select {
		case c := <-ch.Stream():
			out.WriteString(c.GetOutput())
			if e := c.GetError(); e != "" {
				out.WriteString("<error " + e + ">")
			}
			if st, ok := c.Body.(*api.Command_State); ok {
				if st.State == api.State_Running {
					running = true
				} else if running {
					return out.String()
				}
			}
		case <-deadline:
			w.t.Fatalf("the program did not end within 3 minutes: %s", out.String())
		}
	}
}

func registriesFor(t *testing.T) *registries.Set { return registries.Shared(t) }

// watch reads what a watcher of a run gets: its states up to Stopped and
// the output between them.
func watch(t *testing.T, ch *client.Channel) (states []string, output string) {
	t.Helper()
	var out strings.Builder
	for {
		c := servicetest.Next(t, ch)
		out.WriteString(c.GetOutput())
		if st, ok := c.Body.(*api.Command_State); ok {
			states = append(states, st.State.String())
			if st.State == api.State_Stopped {
				return states, out.String()
			}
		}
	}
}
