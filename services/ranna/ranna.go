package ranna

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/engines"
	"github.com/pid1/pid1/engines/ranna"
)

// Engine is what the service needs of the execution core.
type Engine interface {
	Start(ctx context.Context, req engines.Request) (*engines.Run, error)
	Languages() []engines.Language
}

// maxRuns is how many runs a channel may have going at once.
const maxRuns = 8

// Descriptor registers the service over eng. With a nil eng (the engines
// are off) channels still open, and rannaExec is refused, saying why.
func Descriptor(eng Engine) services.Descriptor {
	var specs func() *ranna.Specs
	if eng != nil {
		specs = sync.OnceValue(func() *ranna.Specs { return ranna.NewSpecs(eng.Languages()) })
	}
	return services.Descriptor{Name: "ranna", WellKnown: "rannaer", Writes: services.BodySet("rannaExec", "rannaKill"),
		New: func(ch services.Channel) (services.Service, error) {
			return &Ranna{eng: eng, specs: specs, ch: ch, runs: map[string]*running{}}, nil
		}}
}

var errOff = services.Errorf(services.KindUnavailable, "the execution engines are off in this pid1 (-engines=false, or its sandbox cannot run here)")

// Ranna is one ranna channel. Its fields are used on the channel's actor.
type Ranna struct {
	eng   Engine
	specs func() *ranna.Specs
	ch    services.Channel
	runs  map[string]*running // by run id
}

// running is one run, and whom to answer.
type running struct {
	id   string
	run  *engines.Run
	from services.Session
	req  *api.Command
}

var _ services.Service = (*Ranna)(nil)

// Command handles rannaExec and rannaKill.
func (r *Ranna) Command(s services.Session, cmd *api.Command) error {
	switch b := cmd.Body.(type) {
	case *api.Command_RannaExec:
		return r.exec(s, cmd, b.RannaExec)
	case *api.Command_RannaKill:
		cur := r.runs[b.RannaKill.GetRunid()]
		if cur == nil || cur.from.ID != s.ID {
			return errors.New("sandbox is not running (no run of yours has that runid)")
		}
		cur.run.Kill()
		services.Reply(r.ch, s, cmd, services.OK())
		return nil
	}
	return fmt.Errorf("ranna takes rannaExec and rannaKill, not %s", services.BodyName(cmd))
}

func (r *Ranna) exec(s services.Session, cmd *api.Command, x *api.RannaExec) error {
	if r.eng == nil {
		return errOff
	}
	if len(r.runs) >= maxRuns {
		return services.Errorf(services.KindUnavailable, "too many runs on this channel at once (limit %d); wait for a rannaStop", maxRuns)
	}
	req, e := r.specs().Request(ranna.ExecutionRequest{
		Language: x.GetLanguage(), Code: x.GetCode(), InlineExpression: x.GetInlineExpression(),
		Arguments: x.GetArguments(), Environment: x.GetEnvironment(), Stdin: x.GetStdin(),
	}, ranna.DefaultLimits, fmt.Sprintf("user:%d", s.User.ID))
	if e != nil {
		return errors.New(e.Message)
	}
	run, err := r.eng.Start(r.ch.Context(), req)
	if err != nil {
		return refusal(err)
	}
	cur := &running{id: ranna.NewRunID(), run: run, from: s, req: cmd}
	r.runs[cur.id] = cur
	if !r.ch.Go(func(ctx context.Context) { r.stream(ctx, cur) }) {
		run.Kill()
		delete(r.runs, cur.id)
		return services.Errorf(services.KindUnavailable, "the channel is closing")
	}
	return nil
}

// refusal is what the core refused, in ranna's words.
func refusal(err error) error {
	e := ranna.StartError(err)
	switch e.Code {
	case 500:
		return &services.Error{Kind: services.KindInternal, Err: err}
	case 429, 503:
		return services.Errorf(services.KindUnavailable, "%s", e.Message)
	}
	return errors.New(e.Message)
}

// stream sends a run's events as they come, then hands its end to the
// actor.
func (r *Ranna) stream(ctx context.Context, cur *running) {
	spawned := false
	for {
		ev, err := cur.run.Next(ctx)
		if err != nil {
			return // the channel closed: the run dies with its context
		}
		switch ev.Kind {
		case engines.Started:
			spawned = true
			r.send(cur, &api.Command{Body: &api.Command_RannaSpawn{RannaSpawn: &api.RannaSpawn{Runid: cur.id}}})
		case engines.Stdout:
			r.send(cur, &api.Command{Body: &api.Command_RannaLog{RannaLog: &api.RannaLog{Runid: cur.id, Stdout: ev.Data}}})
		case engines.Stderr:
			r.send(cur, &api.Command{Body: &api.Command_RannaLog{RannaLog: &api.RannaLog{Runid: cur.id, Stderr: ev.Data}}})
		case engines.Done:
			r.ch.Post(func() { r.finish(cur, ev, spawned) })
			return
		}
	}
}

// finish tells how the run ended.
func (r *Ranna) finish(cur *running, ev engines.Event, spawned bool) {
	delete(r.runs, cur.id)
	if ev.Err != nil {
		err := refusal(ev.Err)
		text := err.Error()
		if services.KindOf(err) == services.KindInternal {
			r.ch.Logger().Error("a run could not happen", "err", ev.Err)
			text = "internal error in service ranna"
		}
		services.Reply(r.ch, cur.from, cur.req, services.ErrorCommand(text))
		if spawned {
			r.send(cur, &api.Command{Body: &api.Command_RannaStop{RannaStop: &api.RannaStop{Runid: cur.id, Exitcode: -1, Error: text}}})
		}
		return
	}
	o := ranna.OutcomeOf(ev.Result)
	stop := &api.RannaStop{Runid: cur.id, Exectimems: o.ExecTimeMS, Exitcode: int32(o.ExitCode), Signal: int32(o.Signal),
		Timedout: o.TimedOut, Killed: o.Killed, Truncated: o.Truncated}
	if w := ranna.Warning(ev.Result, ranna.DefaultLimits); w != nil {
		stop.Error = w.Message
	}
	r.send(cur, &api.Command{Body: &api.Command_RannaStop{RannaStop: stop}})
}

// send gives an event to the run's sender, with its rannaExec's ref, and
// to everyone else attached without it.
func (r *Ranna) send(cur *running, cmd *api.Command) {
	services.Reply(r.ch, cur.from, cur.req, cmd)
	cmd.Ref = ""
	services.Others(r.ch, cur.from.ID, cmd)
}

// Detach kills the runs of a sender who leaves.
func (r *Ranna) Detach(s services.Session) {
	for _, cur := range r.runs {
		if cur.from.ID == s.ID {
			cur.run.Kill()
		}
	}
}
