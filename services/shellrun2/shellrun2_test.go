package shellrun2_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/services/interp2"
	"github.com/pid1/pid1/services/run2"
	"github.com/pid1/pid1/services/shell"
	"github.com/pid1/pid1/services/shellrun2"
	"github.com/pid1/pid1/test/kit/servicetest"
)

// serve runs shellrun2 next to real run2 and interp2 services, reaching
// them through an in-process session on the hub, as pid1 does.
func serve(t *testing.T, files map[string]string) (url func(string) string, dir string) {
	t.Helper()
	t.Setenv("HOME", t.TempDir()) // bash without the machine's start-up files
	deps := servicetest.Deps(t, files)
	var hub *conman.Hub
	dial := func(ctx context.Context) (services.Peer, error) {
		return hub.Dial(ctx, services.User{ID: servicetest.UserID("pid1"), Name: "pid1", CanWrite: true})
	}
	hub, url = servicetest.ServeHub(t,
		run2.Descriptor(deps),
		interp2.Descriptor(deps),
		shellrun2.Descriptor(shellrun2.Config{Shell: shell.Config{Deps: deps}, Dial: dial}))
	return url, deps.Dir()
}

func runMain() *api.Command { return &api.Command{Body: &api.Command_RunMain{RunMain: &api.RunMain{}}} }

// While nothing runs, input goes to the channel's own bash; with a .replit
// runMain runs the program on the shared run2 channel, which another
// client attached to run2 sees too, and the shell gets the terminal back.
func TestRunsOnTheSharedRun2WithADotReplit(t *testing.T) {
	url, _ := serve(t, map[string]string{".replit": "run = \"echo from-run2-$((6*7))\"\n"})
	ch := servicetest.Open(t, url("ada"), "shellrun2", "shellrun2")
	servicetest.Input(t, ch, "echo shell-$((6*7))\r")
	servicetest.Until(t, ch, "shell-42")

	other := servicetest.Open(t, url("bob"), "run2", "run2")
	servicetest.Until(t, other, "<Stopped>")
	if err := ch.Send(context.Background(), runMain()); err != nil {
		t.Fatal(err)
	}
	servicetest.Until(t, ch, "from-run2-42")
	servicetest.Until(t, ch, "<Stopped>")
	servicetest.Until(t, other, "from-run2-42") // the same run, on the shared channel

	// The run is over: the shell has the terminal again.
	servicetest.Input(t, ch, "echo back-in-$((6*7))\r")
	servicetest.Until(t, ch, "back-in-42")
}

// Without a .replit, runMain runs main.py in the shared interp2, whose
// REPL keeps the terminal (and the program's variables) until clear.
func TestRunsInTheSharedInterp2Without(t *testing.T) {
	url, dir := serve(t, map[string]string{"main.py": "x = 21\nprint('main ran')\n"})
	ch := servicetest.Open(t, url("ada"), "shellrun2", "shellrun2")
	if err := ch.Send(context.Background(), runMain()); err != nil {
		t.Fatal(err)
	}
	servicetest.Until(t, ch, "main ran")
	servicetest.Until(t, ch, "<Stopped>")
	servicetest.Input(t, ch, "print(x*2)\r")
	servicetest.Until(t, ch, "42")
	if err := ch.Send(context.Background(), &api.Command{Body: &api.Command_Clear{Clear: &api.Clear{}}}); err != nil {
		t.Fatal(err)
	}
	servicetest.Input(t, ch, "echo shell-again\r")
	servicetest.Until(t, ch, "shell-again")
	if _, err := os.Stat(filepath.Join(dir, ".replit")); !os.IsNotExist(err) {
		t.Fatal("the test workspace must not have a .replit")
	}
}

func TestReadOnlyCannotRun(t *testing.T) {
	url, _ := serve(t, map[string]string{"main.py": "print(1)\n"})
	servicetest.Open(t, url("ada"), "shellrun2", "shellrun2")
	ch := servicetest.Open(t, url("ro:viewer"), "shellrun2", "shellrun2")
	if r := servicetest.Request(t, ch, runMain()); r.GetError() != "read-only: your token does not allow runMain on shellrun2" {
		t.Fatalf("runMain from a read-only session: %v", r)
	}
}
