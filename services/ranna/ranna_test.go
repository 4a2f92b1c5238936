package ranna_test

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
	"github.com/pid1/pid1/services/ranna"
	"github.com/pid1/pid1/test/kit/enginetest"
	"github.com/pid1/pid1/test/kit/servicetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// hub serves ranna over a real engine (sandbox, built-in languages).
func hub(t *testing.T, cfg engines.Config) func(user string) string {
	t.Helper()
	return servicetest.Serve(t, ranna.Descriptor(enginetest.Engine(t, sandbox.Config{}, cfg)))
}

func execCmd(ref, lang, code string) *api.Command {
	return &api.Command{Ref: ref, Body: &api.Command_RannaExec{RannaExec: &api.RannaExec{Language: lang, Code: code}}}
}

// run is what one rannaExec caused.
type run struct {
	id             string
	stdout, stderr string
	stop           *api.RannaStop
}

// collect reads ch until every run of refs has stopped, checking that
// each event of a run carries its ref (or none, for a watcher: refs "").
func collect(t *testing.T, ch *client.Channel, refs ...string) map[string]*run {
	t.Helper()
	runs := map[string]*run{}
	for _, r := range refs {
		if r != "" {
			runs[r] = &run{}
		}
	}
	byID := map[string]*run{}
	for left := len(refs); left > 0; {
		cmd := servicetest.Next(t, ch)
		var r *run
		switch b := cmd.Body.(type) {
		case *api.Command_RannaSpawn:
			r = runs[cmd.Ref]
			if cmd.Ref == "" { // a watcher tells runs apart by id
				r = &run{}
				runs[b.RannaSpawn.Runid] = r
			}
			if r == nil || r.id != "" {
				t.Fatalf("spawn %v", cmd)
			}
			r.id = b.RannaSpawn.Runid
			byID[r.id] = r
		case *api.Command_RannaLog:
			if r = byID[b.RannaLog.Runid]; r == nil {
				t.Fatalf("log of an unknown run %v", cmd)
			}
			r.stdout += string(b.RannaLog.Stdout)
			r.stderr += string(b.RannaLog.Stderr)
		case *api.Command_RannaStop:
			if r = byID[b.RannaStop.Runid]; r == nil {
				t.Fatalf("stop of an unknown run %v", cmd)
			}
			r.stop = b.RannaStop
			left--
		default:
			t.Fatalf("unexpected %v", cmd)
		}
		if cmd.Ref != "" && runs[cmd.Ref] != r {
			t.Fatalf("%v carries the ref of another run", cmd)
		}
	}
	delete(runs, "")
	return runs
}

func TestRunsStreamToTheirSenderAndWatchers(t *testing.T) {
	t.Parallel()
	url := hub(t, engines.Config{})
	ch := servicetest.Open(t, url("ada"), "ranna", "rannaer")
	watcher := servicetest.Open(t, url("bob"), "ranna", "rannaer")
	ctx := context.Background()
	one := &api.RannaExec{Language: "bash", Code: `sleep 1; echo "$1 $GREETING $(cat)" >&2; exit 3`, Arguments: []string{"arg"},
		Environment: map[string]string{"GREETING": "hi"}, Stdin: "typed"}
	if err := ch.Send(ctx, &api.Command{Ref: "one", Body: &api.Command_RannaExec{RannaExec: one}}); err != nil {
		t.Fatal(err)
	}
	if err := ch.Send(ctx, execCmd("two", "py", "print(6 * 7)")); err != nil {
		t.Fatal(err)
	}
	runs := collect(t, ch, "one", "two")
	if r := runs["one"]; r.stderr != "arg hi typed\n" || r.stop.Exitcode != 3 || r.stop.Killed || r.stop.Exectimems < 1000 {
		t.Errorf("one: %+v", r)
	}
	if r := runs["two"]; r.stdout != "42\n" || r.stop.Exitcode != 0 || len(r.id) != 64 {
		t.Errorf("two: %+v", r)
	}
	seen := map[string]bool{}
	for _, r := range collect(t, watcher, "", "") {
		seen[r.stdout+r.stderr] = true
	}
	if !seen["42\n"] || !seen["arg hi typed\n"] {
		t.Errorf("the watcher saw %v", seen)
	}
}

func TestKillRefusalsAndReadOnly(t *testing.T) {
	t.Parallel()
	url := hub(t, engines.Config{})
	ch := servicetest.Open(t, url("ada"), "ranna", "rannaer")
	other := servicetest.Open(t, url("bob"), "ranna", "rannaer")
	for _, c := range []struct {
		cmd  *api.Command
		want string
	}{
		{execCmd("a", "cobol", "x"), "unsupported language spec"},
		{execCmd("b", "python3", ""), "code is empty"},
		{&api.Command{Ref: "c", Body: &api.Command_RannaExec{RannaExec: &api.RannaExec{Language: "python3", Code: "x", InlineExpression: true}}},
			"this spec has no support for inline expressions"},
		{&api.Command{Ref: "k", Body: &api.Command_RannaKill{RannaKill: &api.RannaKill{Runid: "x"}}}, "sandbox is not running (no run of yours has that runid)"},
		{&api.Command{Ref: "p", Body: &api.Command_Ping{Ping: &api.Ping{}}}, "ranna takes rannaExec and rannaKill, not ping"},
	} {
		if r := servicetest.Request(t, ch, c.cmd); r.GetError() != c.want {
			t.Errorf("%v: %v, want error %q", c.cmd, r, c.want)
		}
	}
	if err := ch.Send(context.Background(), execCmd("sleep", "bash", "echo up; exec sleep 30")); err != nil {
		t.Fatal(err)
	}
	spawn := servicetest.Next(t, ch).GetRannaSpawn()
	if spawn == nil {
		t.Fatal("no spawn")
	}
	// Another session may not kill it.
	kill := &api.Command{Ref: "k", Body: &api.Command_RannaKill{RannaKill: &api.RannaKill{Runid: spawn.Runid}}}
	if r := servicetest.Request(t, other, kill); !strings.HasPrefix(r.GetError(), "sandbox is not running") {
		t.Errorf("another's kill: %v", r)
	}
	ro := servicetest.Open(t, url("ro:eve"), "ranna", "rannaer")
	if r := servicetest.Request(t, ro, execCmd("r", "bash", "true")); r.GetError() != servicetest.ReadOnlyRefusal(execCmd("r", "bash", "true"), "ranna") {
		t.Errorf("a read-only run: %v", r)
	}
	before, reply := servicetest.Exchange(t, ch, kill)
	if reply.GetOk() == nil {
		t.Fatalf("kill: %v", reply)
	}
	var stop *api.RannaStop
	for _, c := range before {
		if s := c.GetRannaStop(); s != nil {
			stop = s
		}
	}
	for stop == nil {
		cmd := servicetest.Next(t, ch)
		stop = cmd.GetRannaStop()
	}
	if !stop.Killed || stop.Signal != 9 || stop.Exitcode != -1 {
		t.Errorf("after rannaKill: %v", stop)
	}
}

// The engine's per-client limit holds per user; the service words it.
func TestPerUserLimitAndEnginesOff(t *testing.T) {
	t.Parallel()
	url := hub(t, engines.Config{PerClient: perclient.Config{Concurrent: 1}})
	a := servicetest.Open(t, url("ada"), "ranna", "")
	if err := a.Send(context.Background(), execCmd("s", "bash", "exec sleep 30")); err != nil {
		t.Fatal(err)
	}
	servicetest.Next(t, a)
	if r := servicetest.Request(t, a, execCmd("t", "bash", "true")); r.GetError() != "too many runs at once for your account (limit 1)" {
		t.Errorf("a second run of one user: %v", r)
	}
	off := servicetest.Serve(t, ranna.Descriptor(nil))
	ch := servicetest.Open(t, off("ada"), "ranna", "")
	if r := servicetest.Request(t, ch, execCmd("x", "python3", "print(1)")); !strings.HasPrefix(r.GetError(), "the execution engines are off") {
		t.Errorf("rannaExec with the engines off: %v", r)
	}
}
