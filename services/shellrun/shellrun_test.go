package shellrun_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/fsroot"
	"github.com/pid1/pid1/internal/servicetest"
	"github.com/pid1/pid1/reaper"
	"github.com/pid1/pid1/services/run2"
	"github.com/pid1/pid1/services/shellrun"
)

func until(t *testing.T, ch *client.Channel, want string) string {
	t.Helper()
	var seen strings.Builder
	deadline := time.After(20 * time.Second)
	for {
		select {
		case c := <-ch.Stream():
			seen.WriteString(c.GetOutput())
			if st, ok := c.Body.(*api.Command_State); ok {
				seen.WriteString("<" + st.State.String() + ">")
			}
			if e := c.GetError(); e != "" {
				seen.WriteString("<error " + e + ">")
			}
			if strings.Contains(seen.String(), want) {
				return seen.String()
			}
		case <-deadline:
			t.Fatalf("no %q within 20s; saw %q", want, seen.String())
		}
	}
}

// Bash until runMain, the program's input while it runs, bash again after.
func TestShellThenRunThenShell(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "main.py"), []byte("print('hi', input())\n"), 0o644)
	ws, _ := fsroot.Open(dir)
	rp := reaper.New(reaper.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	go rp.Run(ctx)
	t.Cleanup(func() { cancel(); ws.Close() })
	url := servicetest.Serve(t, shellrun.Descriptor(run2.Config{Reaper: rp, Workspace: ws}, "bash", "--norc", "--noprofile"))
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
