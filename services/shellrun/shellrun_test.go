package shellrun_test

import (
	"context"
	"testing"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/internal/jobs"
	"github.com/pid1/pid1/services/shellrun"
	"github.com/pid1/pid1/test/kit/servicetest"
)

// Bash until runMain, the program's input while it runs, bash again after.
func TestShellThenRunThenShell(t *testing.T) {
	ws := servicetest.Workspace(t, map[string]string{"main.py": "print('hi', input())\n"})
	url := servicetest.Serve(t, shellrun.Descriptor(jobs.Deps{Reaper: servicetest.Reaper(t), Workspace: ws}, "bash", "--norc", "--noprofile"))
	until := servicetest.Until
	ch := servicetest.Open(t, url("ada"), "shellrun", "shellrun")
	until(t, ch, "<Stopped>")
	send := func(c *api.Command) {
		if err := ch.Send(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
	send(&api.Command{Body: &api.Command_Input{Input: "echo from-the-$((2*3))-shell\r"}})
	until(t, ch, "from-the-6-shell")
	send(&api.Command{Body: &api.Command_RunMain{RunMain: &api.RunMain{}}})
	until(t, ch, "<Running>")
	time.Sleep(500 * time.Millisecond) // python starts
	send(&api.Command{Body: &api.Command_Input{Input: "ada\r"}})
	until(t, ch, "hi ada")
	until(t, ch, "<Stopped>")
	send(&api.Command{Body: &api.Command_Input{Input: "echo back-in-$((1+1))\r"}})
	until(t, ch, "back-in-2")
}
