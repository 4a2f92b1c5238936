package main

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
)

// saver is a program that, on SIGTERM, takes a moment to save its work to
// a file and exits; until then it writes "ready" and waits.
func saver(dir, name string) string {
	return `trap 'sleep 0.3; echo saved > ` + filepath.Join(dir, name+".saved") + `; exit 0' TERM; ` +
		`echo ready > ` + filepath.Join(dir, name+".ready") + `; while :; do sleep 0.05; done`
}

// The two-phase shutdown reaches the services: programs running in a
// shell and under exec get SIGTERM and time to save before anything is
// killed, so their files are written when pid1 exits.
func TestShutdownLetsProgramsSave(t *testing.T) {
	t.Parallel()
	p := startProcess(t)
	marks := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := dialAs(t, ctx, p, "ann")

	sh, err := c.Open(ctx, "shell", "shell", api.OpenChannel_ATTACH_OR_CREATE)
	if err != nil {
		t.Fatal(err)
	}
	if err := sh.Send(ctx, &api.Command{Body: &api.Command_Input{Input: "sh -c \"" + saver(marks, "shell") + "\"\r"}}); err != nil {
		t.Fatal(err)
	}
	ex, err := c.Open(ctx, "exec", "", api.OpenChannel_CREATE)
	if err != nil {
		t.Fatal(err)
	}
	if err := ex.Send(ctx, &api.Command{Body: &api.Command_Exec{Exec: &api.Exec{Args: []string{"sh", "-c", saver(marks, "exec")}}}}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"shell", "exec"} {
		waitExists(t, filepath.Join(marks, name+".ready"))
	}

	p.cmd.Process.Signal(syscall.SIGTERM)
	p.cmd.Wait()
	if !strings.Contains(p.logs.String(), "pid1 stopped") {
		t.Fatalf("pid1 did not shut down cleanly:\n%s", p.logs.String())
	}
	for _, name := range []string{"shell", "exec"} {
		if b, err := os.ReadFile(filepath.Join(marks, name+".saved")); err != nil || string(b) != "saved\n" {
			t.Errorf("the program under %s did not save before pid1 exited: %q %v", name, b, err)
		}
	}
}

func waitExists(t *testing.T, path string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(path); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not appear", path)
		}
	}
}

// dialAs connects to p as user; the client is closed when the test ends.
func dialAs(t *testing.T, ctx context.Context, p *plainPID1, user string) *client.Client {
	t.Helper()
	c, err := client.Dial(ctx, "ws://"+p.addr+"/wsv2/"+token(t, "-state-dir", p.state, "-user", user), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// As a child subreaper, pid1 ends every process it reaps for when it
// stops: a process that started a session of its own and the background
// child of a command that has exited, neither in a group pid1 tracks.
func TestSubreaperShutdownLeavesNothingBehind(t *testing.T) {
	t.Parallel()
	marks := t.TempDir()
	dir := t.TempDir()
	p := startOn(t, filepath.Join(dir, "ws"), filepath.Join(dir, "state"), "-subreaper", "-grace", "2s", "--", "sh", "-c",
		`setsid sh -c 'echo $$ > `+marks+`/own-session; exec sleep 1000' &
		 sh -c 'echo $$ > `+marks+`/left-behind; exec sleep 1000' &
		 exit 0`)
	p.cmd.WaitDelay = 5 * time.Second // a survivor holding pid1's output open must not hang the test
	var pids []int
	for _, name := range []string{"own-session", "left-behind"} {
		waitExists(t, filepath.Join(marks, name))
		var pid int
		for deadline := time.Now().Add(10 * time.Second); pid == 0 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			b, _ := os.ReadFile(filepath.Join(marks, name))
			pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		}
		pids = append(pids, pid)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.cmd.Wait()
	for i, pid := range pids {
		if syscall.Kill(pid, 0) == nil {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Errorf("process %d (%s) outlived pid1:\n%s", pid, []string{"own session", "left behind"}[i], p.logs.String())
		}
	}
}
