package packager2_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/internal/jobs"
	"github.com/pid1/pid1/services/interp2"
	"github.com/pid1/pid1/services/packager2"
	"github.com/pid1/pid1/services/packager3"
	"github.com/pid1/pid1/services/run2"
	"github.com/pid1/pid1/test/kit/proctest"
	"github.com/pid1/pid1/test/kit/registries"
	"github.com/pid1/pid1/test/kit/servicetest"
)

// runs is a workspace served by packager2, packager3, and a run2 and an
// interp2 that call packager2 before a run as pid1 wires them: through an
// in-process session on the hub.
type runs struct {
	url  func(user string) string
	deps jobs.Deps
	reg  *registries.Set
	hub  *conman.Hub
	// sent gets a value each time a run has sent its ensurePackages.
	sent chan struct{}
}

// serveRuns serves files; env is laid over the programs' environment.
func serveRuns(t *testing.T, files map[string]string, env ...string) *runs {
	t.Helper()
	reg := registries.Shared(t)
	r := &runs{reg: reg, sent: make(chan struct{}, 16),
		deps: jobs.Deps{Reaper: servicetest.Reaper(t), Workspace: servicetest.Workspace(t, files), Env: append(reg.Env(t), env...)}}
	dial := func(ctx context.Context) (services.Peer, error) {
		p, err := r.hub.Dial(ctx, services.User{ID: servicetest.UserID("pid1"), Name: "pid1", CanWrite: true})
		if err != nil {
			return nil, err
		}
		return notingPeer{p, r.sent}, nil
	}
	ensure := func(ctx context.Context, out func(string)) error { return packager2.EnsureBeforeRun(ctx, dial, out) }
	r.hub, r.url = servicetest.ServeHub(t, packager2.Descriptor(r.deps), packager3.Descriptor(r.deps),
		run2.EnsuringDescriptor(r.deps, ensure), interp2.EnsuringDescriptor(r.deps, ensure))
	return r
}

// notingPeer is the Peer EnsureBeforeRun uses, noting on sent when a
// command has gone out on one of its channels.
type notingPeer struct {
	services.Peer
	sent chan<- struct{}
}

func (p notingPeer) Open(ctx context.Context, service, name string, action api.OpenChannel_Action) (services.PeerChannel, error) {
	ch, err := p.Peer.Open(ctx, service, name, action)
	if err != nil {
		return nil, err
	}
	return notingChannel{ch, p.sent}, nil
}

type notingChannel struct {
	services.PeerChannel
	sent chan<- struct{}
}

func (c notingChannel) Send(ctx context.Context, cmd *api.Command) error {
	err := c.PeerChannel.Send(ctx, cmd)
	if err == nil {
		select {
		case c.sent <- struct{}{}:
		default:
		}
	}
	return err
}

// pipInstalling lists the workspace's pip processes installing pkg.
func (r *runs) pipInstalling(pkg string) []proctest.Proc {
	return proctest.Find(func(argv []string) bool {
		return len(argv) > 4 && strings.HasPrefix(argv[0], r.deps.Dir()+"/") &&
			slices.Equal(argv[1:4], []string{"-m", "pip", "install"}) && slices.Contains(argv[4:], pkg)
	})
}

func (r *runs) read(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(r.deps.Dir(), name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// waitPip waits until the workspace's pip installs pkg and returns its
// processes. (The gate's started is no sign of it: another test's run,
// installing after its own release, may meet this test's gate first.)
func (r *runs) waitPip(t *testing.T, pkg string) []proctest.Proc {
	t.Helper()
	guard := time.Now().Add(3 * time.Minute) // against a hang, not a speed target
	for {
		if ps := r.pipInstalling(pkg); len(ps) > 0 {
			return ps
		}
		if time.Now().After(guard) {
			t.Fatalf("no pip installing %s", pkg)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

const slowProgram = "import tiny_pkg, slow_pkg\nprint(slow_pkg.GREETING)\n"

// clear (run2) or clear (interp2) while the packages a run needs install
// stops the install: pip's process group is killed, the spec is as it
// was, packager2's watchers see why it stopped, and the program does not
// start. The next run installs again.
func TestClearStopsTheInstallOfItsRun(t *testing.T) {
	for _, service := range []string{"run2", "interp2"} {
		t.Run(service, func(t *testing.T) {
			t.Parallel()
			// pip gives up on a silent index after its timeout (20 s in
			// the test's pip.conf): longer here, so that only a kill
			// ends it before the release.
			r := serveRuns(t, map[string]string{".replit": guessImports, "main.py": slowProgram, "requirements.txt": "tiny_pkg\n"}, "PIP_TIMEOUT=600")
			watcher := open(t, r.url("ro:bob"))
			_, release := r.reg.Hold("pip")
			defer release()
			ch := openRun2(t, r.url("ada"), service)
			if err := ch.Send(context.Background(), runMain()); err != nil {
				t.Fatal(err)
			}
			pips := r.waitPip(t, "slow_pkg")
			if err := ch.Send(context.Background(), &api.Command{Body: &api.Command_Clear{Clear: &api.Clear{}}}); err != nil {
				t.Fatal(err)
			}
			out := until(t, ch, "<Stopped>")
			proctest.Gone(t, time.Minute, pips...)
			seen := events(t, watcher)
			if len(seen) != 3 || !strings.Contains(seen[1], "pip install slow_pkg") ||
				!strings.HasSuffix(seen[1], "stopped: the session that asked for it left; the spec and lock files are as they were\n") {
				t.Errorf("packager2's watcher saw %q", seen)
			}
			if got := r.read(t, "requirements.txt"); got != "tiny_pkg\n" {
				t.Errorf("requirements.txt after the stop: %q", got)
			}
			release()
			if service == "run2" {
				if strings.Contains(out, "<exec ") {
					t.Fatalf("the program started after clear: %q", out)
				}
				servicetest.Quiet(t, ch, time.Second)
			}
			if err := ch.Send(context.Background(), runMain()); err != nil {
				t.Fatal(err)
			}
			out = until(t, ch, "hello from slow-pkg 1.0.0")
			if !strings.Contains(out, "pip install slow_pkg") {
				t.Errorf("the next run did not install: %q", out)
			}
			if got := r.read(t, "requirements.txt"); got != "tiny_pkg\nslow_pkg\n" {
				t.Errorf("requirements.txt after the next run: %q", got)
			}
		})
	}
}

// An install someone else asked for (packager3's packageAdd) that a run
// waits behind is not stopped when the run is: the add completes, and the
// run's own ensurePackages, which waited its turn, never runs.
func TestClearLeavesSomeoneElsesInstall(t *testing.T) {
	t.Parallel()
	r := serveRuns(t, map[string]string{".replit": guessImports, "main.py": slowProgram})
	p3 := servicetest.Open(t, r.url("cy"), "packager3", "packager3")
	servicetest.Next(t, p3) // the attach state
	watcher := open(t, r.url("ro:bob"))
	_, release := r.reg.Hold("pip")
	defer release()
	add := &api.Command{Ref: "add", Body: &api.Command_PackageAdd{PackageAdd: &api.PackageAdd{Pkgs: []*api.Package{{Name: "slow-pkg"}}}}}
	if err := p3.Send(context.Background(), add); err != nil {
		t.Fatal(err)
	}
	pips := r.waitPip(t, "slow-pkg")
	sessions := servicetest.Sessions(t, r.hub)
	ch := openRun2(t, r.url("ada"))
	if err := ch.Send(context.Background(), runMain()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-r.sent:
	case <-time.After(time.Minute): // against a hang
		t.Fatal("the run never sent its ensurePackages")
	}
	if err := ch.Send(context.Background(), &api.Command{Body: &api.Command_Clear{Clear: &api.Clear{}}}); err != nil {
		t.Fatal(err)
	}
	if out := until(t, ch, "<Stopped>"); strings.Contains(out, "<exec ") {
		t.Fatalf("the program started after clear: %q", out)
	}
	// The run's session to packager2 has left (ada's own is still there).
	servicetest.WaitSessions(t, r.hub, sessions+1)
	for _, p := range pips {
		if !p.Alive() {
			t.Fatalf("cy's pip (%d) was stopped with the run", p.Pid)
		}
	}
	release()
	if got := events(t, p3); !slices.Contains(got, "ok") {
		t.Errorf("cy's add: %q", got)
	}
	if got := r.read(t, "requirements.txt"); got != "slow-pkg\n" {
		t.Errorf("requirements.txt after cy's add: %q", got)
	}
	servicetest.Quiet(t, watcher, 2*time.Second) // the run's ensurePackages would start at once
}
