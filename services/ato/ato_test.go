package ato_test

import (
	"context"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/engines"
	"github.com/pid1/pid1/engines/perclient"
	"github.com/pid1/pid1/sandbox"
	"github.com/pid1/pid1/services/ato"
	"github.com/pid1/pid1/test/kit/enginetest"
	"github.com/pid1/pid1/test/kit/servicetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// hub serves ato over a real engine (sandbox, built-in languages).
func hub(t *testing.T, cfg engines.Config) func(user string) string {
	t.Helper()
	return servicetest.Serve(t, ato.Descriptor(enginetest.Engine(t, sandbox.Config{}, cfg)))
}

func runCmd(lang, code string, kv ...any) *api.Command {
	r := &api.AtoRun{Language: lang, Code: []byte(code)}
	for i := 0; i < len(kv); i += 2 {
		switch kv[i] {
		case "input":
			r.Input = []byte(kv[i+1].(string))
		case "arguments":
			for _, a := range kv[i+1].([]string) {
				r.Arguments = append(r.Arguments, []byte(a))
			}
		case "timeout":
			r.Timeout = uint32(kv[i+1].(int))
		}
	}
	return &api.Command{Ref: "run", Body: &api.Command_AtoRun{AtoRun: r}}
}

// until reads ch until its reply (the command with ref), gathering output.
func until(t *testing.T, ch *client.Channel, ref string) (stdout, stderr string, reply *api.Command) {
	t.Helper()
	for {
		cmd := servicetest.Next(t, ch)
		if o := cmd.GetAtoOutput(); o != nil {
			if o.Stream == api.AtoOutput_STDERR {
				stderr += string(o.Data)
			} else {
				stdout += string(o.Data)
			}
			continue
		}
		if cmd.Ref == ref {
			return stdout, stderr, cmd
		}
		t.Fatalf("unexpected %v", cmd)
	}
}

func TestRunStreamsAndAnswers(t *testing.T) {
	t.Parallel()
	url := hub(t, engines.Config{})
	ch := servicetest.Open(t, url("ada"), "ato", "atoer")
	watcher := servicetest.Open(t, url("bob"), "ato", "atoer")
	if err := ch.Send(context.Background(), runCmd("python", "import sys\nprint(input(), sys.argv[1:])\nprint('e', file=sys.stderr)\nexit(3)", "input", "hi\n", "arguments", []string{"a", "b"})); err != nil {
		t.Fatal(err)
	}
	out, errOut, reply := until(t, ch, "run")
	d := reply.GetAtoDone()
	if out != "hi ['a', 'b']\n" || errOut != "e\n" || d == nil || d.StatusType != "exited" || d.StatusValue != 3 || d.TimedOut || d.Killed {
		t.Fatalf("stdout %q stderr %q reply %v", out, errOut, reply)
	}
	if d.Real <= 0 || d.MaxMem <= 0 || d.User+d.Kernel <= 0 {
		t.Errorf("statistics %v", d)
	}
	// The watcher sees the same output and the end, without the ref.
	wout, _, wdone := until(t, watcher, "")
	if wout != out || wdone.GetAtoDone().GetStatusValue() != 3 {
		t.Errorf("watcher: %q %v", wout, wdone)
	}
}

func TestKillRefusalsAndReadOnly(t *testing.T) {
	t.Parallel()
	url := hub(t, engines.Config{})
	ch := servicetest.Open(t, url("ada"), "ato", "")
	ctx := context.Background()
	for _, c := range []struct {
		cmd  *api.Command
		want string
	}{
		{runCmd("cobol", "x"), "invalid request: no such language: cobol"},
		{runCmd("bash", "x", "timeout", 61), "invalid request: timeout not in range 1-60: 61"},
		{&api.Command{Ref: "n", Body: &api.Command_AtoRun{AtoRun: &api.AtoRun{Language: "bash", Options: [][]byte{[]byte("a\x00")}}}}, "invalid request: argument contains null byte"},
		{&api.Command{Ref: "k", Body: &api.Command_AtoKill{AtoKill: &api.AtoKill{}}}, "no run is going"},
		{&api.Command{Ref: "p", Body: &api.Command_Ping{Ping: &api.Ping{}}}, "ato takes atoRun and atoKill, not ping"},
	} {
		if r := servicetest.Request(t, ch, c.cmd); r.GetError() != c.want {
			t.Errorf("%v: %v, want error %q", c.cmd, r, c.want)
		}
	}

	if err := ch.Send(ctx, runCmd("bash", "echo up; exec sleep 30")); err != nil {
		t.Fatal(err)
	}
	if o := servicetest.Next(t, ch).GetAtoOutput(); string(o.GetData()) != "up\n" {
		t.Fatalf("output %v", o)
	}
	if r := servicetest.Request(t, ch, runCmd("bash", "true")); !strings.HasPrefix(r.GetError(), "a run is going") {
		t.Errorf("a second run: %v", r)
	}
	ro := servicetest.Open(t, url("ro:eve"), "ato", "")
	if r := servicetest.Request(t, ro, runCmd("bash", "true")); r.GetError() != servicetest.ReadOnlyRefusal(runCmd("bash", "true"), "ato") {
		t.Errorf("a read-only run: %v", r)
	}
	if r := servicetest.Request(t, ch, &api.Command{Ref: "kill", Body: &api.Command_AtoKill{AtoKill: &api.AtoKill{}}}); r.GetOk() == nil {
		t.Fatalf("kill: %v", r)
	}
	_, _, reply := until(t, ch, "run")
	if d := reply.GetAtoDone(); d.GetStatusType() != "killed" || d.GetStatusValue() != 9 || !d.GetKilled() {
		t.Errorf("after atoKill: %v", reply)
	}
}

// TestPerUserLimit: the engine's per-client limit holds per user.
func TestPerUserLimit(t *testing.T) {
	t.Parallel()
	url := hub(t, engines.Config{PerClient: perclient.Config{Concurrent: 1}})
	a := servicetest.Open(t, url("ada"), "ato", "")
	b := servicetest.Open(t, url("ada"), "ato", "")
	if err := a.Send(context.Background(), runCmd("bash", "echo up; exec sleep 30")); err != nil {
		t.Fatal(err)
	}
	servicetest.Next(t, a)
	if r := servicetest.Request(t, b, runCmd("bash", "true")); r.GetError() != "too many runs at once for your account (limit 1)" {
		t.Errorf("a second run of one user: %v", r)
	}
}

// TestEnginesOff: without an engine the channel opens (a refused open
// would tear a crosis client down) and atoRun says why it cannot run.
func TestEnginesOff(t *testing.T) {
	t.Parallel()
	url := servicetest.Serve(t, ato.Descriptor(nil))
	ch := servicetest.Open(t, url("ada"), "ato", "")
	if r := servicetest.Request(t, ch, runCmd("python", "print(1)")); !strings.HasPrefix(r.GetError(), "the execution engines are off") {
		t.Errorf("atoRun: %v", r)
	}
}
