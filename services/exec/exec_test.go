package exec_test

import (
	"context"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/services/exec"
	"github.com/pid1/pid1/test/kit/servicetest"
)

// hub serves exec on a loopback port (see servicetest.Serve for tokens).
func hub(t *testing.T) (url func(user string) string, dir string) {
	t.Helper()
	deps := servicetest.Deps(t, nil)
	return servicetest.Serve(t, exec.Descriptor(deps)), deps.Dir()
}

// open attaches to the shared exec channel, which reports it is idle.
func open(t *testing.T, url string) *client.Channel {
	t.Helper()
	ch := servicetest.Open(t, url, "exec", "execer")
	if st := next(t, ch).GetState(); st != api.State_Stopped {
		t.Fatalf("attach state %v", st)
	}
	return ch
}

func next(t *testing.T, ch *client.Channel) *api.Command { t.Helper(); return servicetest.Next(t, ch) }

func run(args ...string) *api.Command {
	return &api.Command{Ref: "r", Body: &api.Command_Exec{Exec: &api.Exec{Args: args}}}
}

// The command's process group dies with the channel, background children
// included, even those that keep its stdout open.
func TestCloseKillsTheGroup(t *testing.T) {
	url, _ := hub(t)
	ch := open(t, url("ada"))
	ctx := context.Background()
	if err := ch.Send(ctx, run("sh", "-c", `sleep 100 & echo $! $$; wait`)); err != nil {
		t.Fatal(err)
	}
	if st := next(t, ch).GetState(); st != api.State_Running {
		t.Fatalf("state %v", st)
	}
	var pids []int
	for _, f := range strings.Fields(next(t, ch).GetOutput()) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			t.Fatalf("output %q", f)
		}
		pids = append(pids, pid)
	}
	if _, err := ch.Close(ctx, api.CloseChannel_CLOSE); err != nil {
		t.Fatal(err)
	}
	for _, pid := range pids {
		deadline := time.Now().Add(5 * time.Second)
		for syscall.Kill(pid, 0) == nil {
			if time.Now().After(deadline) {
				t.Fatalf("pid %d survived closing the channel", pid)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// A daemon that inherits stdout does not hold the reply back.
func TestBackgroundChildDoesNotHoldTheReply(t *testing.T) {
	url, _ := hub(t)
	ch := open(t, url("ada"))
	start := time.Now()
	reply, err := ch.Request(context.Background(), run("sh", "-c", "sleep 30 & echo started"))
	if err != nil || reply.GetOk() == nil {
		t.Fatalf("reply %v %v", reply, err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("the reply waited %v for the background sleep", d)
	}
}

func TestReadOnlyUserMayWatchButNotRun(t *testing.T) {
	url, _ := hub(t)
	ch := open(t, url("ro:viewer"))
	for _, cmd := range []*api.Command{run("true"), {Body: &api.Command_Input{Input: "x"}}} {
		reply, err := ch.Request(context.Background(), cmd)
		if err != nil || !strings.HasPrefix(reply.GetError(), "read-only:") {
			t.Fatalf("%v from a read-only user: %v %v", cmd, reply, err)
		}
	}
}

func TestBadRequests(t *testing.T) {
	url, dir := hub(t)
	ch := open(t, url("ada"))
	cases := []struct {
		cmd  *api.Command
		want string
	}{
		{&api.Command{Body: &api.Command_Exec{Exec: &api.Exec{}}}, "exec needs args"},
		{&api.Command{Body: &api.Command_Input{Input: "x"}}, "no command is running"},
		{&api.Command{Body: &api.Command_InputClose{}}, "no command is running"},
		{&api.Command{Body: &api.Command_Ping{Ping: &api.Ping{}}}, "exec takes exec, input and inputClose, not ping"},
		{run("./missing"), `exec: "./missing": stat ` + dir + `/missing: no such file or directory`},
		{run("/etc/passwd"), `exec: "/etc/passwd": permission denied`},
	}
	for _, c := range cases {
		if err := ch.Send(context.Background(), c.cmd); err != nil {
			t.Fatal(err)
		}
		started := len(c.cmd.GetExec().GetArgs()) > 0 // a failed start is framed by Running and Stopped
		if started {
			if st := next(t, ch); st.GetState() != api.State_Running || st.GetBody() == nil {
				t.Errorf("%v: stream has %v, want state Running", c.cmd, st)
			}
		}
		if reply := next(t, ch); !strings.Contains(reply.GetError(), c.want) {
			t.Errorf("%v: got %v, want an error containing %q", c.cmd, reply, c.want)
		}
		if started {
			if st := next(t, ch); st.GetState() != api.State_Stopped || st.GetBody() == nil {
				t.Errorf("%v: stream has %v, want state Stopped", c.cmd, st)
			}
		}
	}
}

// splitLogs gives the command a log descriptor (LOG_FD, fd 3) whose lines
// arrive as `log`, apart from its output; noUserEnv leaves out the
// workspace's own variables.
func TestSplitLogsAndNoUserEnv(t *testing.T) {
	deps := servicetest.Deps(t, map[string]string{".replit": "run = \"true\"\n[env]\nFROM_REPLIT = \"yes\"\n"})
	deps.Vars = []string{"REPL_SLUG=ws"}
	url := servicetest.Serve(t, exec.Descriptor(deps))
	ch := open(t, url("ada"))
	ctx := context.Background()
	exchange := func(x *api.Exec) (out, logs string) {
		t.Helper()
		if err := ch.Send(ctx, &api.Command{Ref: "x", Body: &api.Command_Exec{Exec: x}}); err != nil {
			t.Fatal(err)
		}
		for {
			c := next(t, ch)
			out += c.GetOutput()
			logs += c.GetLog()
			if c.GetRef() == "x" {
				if c.GetOk() == nil {
					t.Fatalf("exec %v: %v", x.Args, c)
				}
				next(t, ch) // Stopped
				return out, logs
			}
		}
	}
	out, logs := exchange(&api.Exec{SplitLogs: true, Args: []string{"sh", "-c", `echo to-output; echo '{"level":"info"}' >&$LOG_FD`}})
	if out != "to-output\n" || logs != "{\"level\":\"info\"}\n" {
		t.Fatalf("splitLogs: output %q, log %q", out, logs)
	}
	out, _ = exchange(&api.Exec{Args: []string{"sh", "-c", `echo "${FROM_REPLIT:-none} ${REPL_SLUG:-none}"`}})
	if out != "yes ws\n" {
		t.Fatalf("with the user's environment: %q", out)
	}
	out, _ = exchange(&api.Exec{NoUserEnv: true, Args: []string{"sh", "-c", `echo "${FROM_REPLIT:-none} ${REPL_SLUG:-none}"`}})
	if out != "none none\n" {
		t.Fatalf("noUserEnv: %q", out)
	}
}
