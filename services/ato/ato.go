package ato

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/engines"
	"github.com/pid1/pid1/engines/perclient"
)

// Engine is what the service needs of the execution core.
type Engine interface {
	Start(ctx context.Context, req engines.Request) (*engines.Run, error)
}

// Descriptor registers the service over eng. With a nil eng (the
// engines are off) channels still open, since a refused openChan tears a
// crosis client down, and atoRun is refused, saying why.
func Descriptor(eng Engine) services.Descriptor {
	return services.Descriptor{Name: "ato", WellKnown: "atoer", Writes: services.BodySet("atoRun", "atoKill"),
		New: func(ch services.Channel) (services.Service, error) {
			return &ATO{eng: eng, ch: ch}, nil
		}}
}

// errOff is atoRun's answer when pid1 runs without its engines.
var errOff = services.Errorf(services.KindUnavailable, "the execution engines are off in this pid1 (-engines=false, or its sandbox cannot run here)")

// ATO is one ato channel. Its fields are used on the channel's actor.
type ATO struct {
	eng Engine
	ch  services.Channel
	cur *running
}

// running is the run going on, and whom to answer.
type running struct {
	run  *engines.Run
	from services.Session
	req  *api.Command
}

var _ services.Service = (*ATO)(nil)

const (
	maxTimeout = 60
	outputCap  = 128 << 10
	chunkSize  = 16 << 10
)

// Command handles atoRun and atoKill.
func (a *ATO) Command(s services.Session, cmd *api.Command) error {
	switch b := cmd.Body.(type) {
	case *api.Command_AtoRun:
		if a.cur != nil {
			return errors.New("a run is going: wait for its atoDone, or send atoKill")
		}
		return a.start(s, cmd, b.AtoRun)
	case *api.Command_AtoKill:
		if a.cur == nil {
			return errors.New("no run is going")
		}
		a.cur.run.Kill()
		services.Reply(a.ch, s, cmd, services.OK())
		return nil
	}
	return fmt.Errorf("ato takes atoRun and atoKill, not %s", services.BodyName(cmd))
}

func (a *ATO) start(s services.Session, cmd *api.Command, r *api.AtoRun) error {
	if a.eng == nil {
		return errOff
	}
	timeout := r.GetTimeout()
	if timeout == 0 {
		timeout = maxTimeout
	}
	if timeout > maxTimeout {
		return fmt.Errorf("invalid request: timeout not in range 1-%d: %d", maxTimeout, timeout)
	}
	run, err := a.eng.Start(a.ch.Context(), engines.Request{
		Language: r.GetLanguage(), Code: r.GetCode(), Input: r.GetInput(),
		Options: strs(r.GetOptions()), Arguments: strs(r.GetArguments()),
		Timeout:   time.Duration(timeout) * time.Second,
		StdoutCap: outputCap, StderrCap: outputCap, KillOnTruncate: true, ChunkSize: chunkSize,
		Client: fmt.Sprintf("user:%d", s.User.ID),
	})
	if err != nil {
		return refusal(err, r.GetLanguage())
	}
	cur := &running{run: run, from: s, req: cmd}
	a.cur = cur
	if !a.ch.Go(func(ctx context.Context) { a.stream(ctx, cur) }) {
		run.Kill()
		a.cur = nil
		return services.Errorf(services.KindUnavailable, "the channel is closing")
	}
	return nil
}

// stream sends a run's output to everyone attached as it arrives, then
// hands its end to the actor.
func (a *ATO) stream(ctx context.Context, cur *running) {
	for {
		ev, err := cur.run.Next(ctx)
		if err != nil {
			return // the channel closed: the run dies with its context
		}
		switch ev.Kind {
		case engines.Stdout, engines.Stderr:
			stream := api.AtoOutput_STDOUT
			if ev.Kind == engines.Stderr {
				stream = api.AtoOutput_STDERR
			}
			services.Broadcast(a.ch, &api.Command{Body: &api.Command_AtoOutput{AtoOutput: &api.AtoOutput{Stream: stream, Data: ev.Data}}})
		case engines.Done:
			a.ch.Post(func() { a.finish(cur, ev) })
			return
		}
	}
}

// finish answers the run's sender (and tells the others) how it ended.
func (a *ATO) finish(cur *running, ev engines.Event) {
	if a.cur == cur {
		a.cur = nil
	}
	if ev.Err != nil {
		err := refusal(ev.Err, cur.req.GetAtoRun().GetLanguage())
		text := err.Error()
		if services.KindOf(err) == services.KindInternal {
			a.ch.Logger().Error("a run could not happen", "err", ev.Err)
			text = "internal error in service ato"
		}
		services.Reply(a.ch, cur.from, cur.req, services.ErrorCommand(text))
		return
	}
	done := &api.Command{Body: &api.Command_AtoDone{AtoDone: doneOf(ev.Result)}}
	services.Reply(a.ch, cur.from, cur.req, done)
	services.Others(a.ch, cur.from.ID, &api.Command{Body: &api.Command_AtoDone{AtoDone: doneOf(ev.Result)}})
}

// Detach kills the run of a sender who leaves, as ATO does when its
// client goes away.
func (a *ATO) Detach(s services.Session) {
	if a.cur != nil && a.cur.from.ID == s.ID {
		a.cur.run.Kill()
	}
}

func doneOf(r *engines.Result) *api.AtoDone {
	return &api.AtoDone{
		StatusType: string(r.Status), StatusValue: int32(r.Value), TimedOut: r.TimedOut,
		StdoutTruncated: r.StdoutTruncated, StderrTruncated: r.StderrTruncated,
		Real: r.Real.Nanoseconds(), Kernel: r.Kernel.Nanoseconds(), User: r.User.Nanoseconds(),
		MaxMem: r.MaxMemKiB, Waits: r.Waits, Preemptions: r.Preemptions,
		MajorPageFaults: r.MajorPageFaults, MinorPageFaults: r.MinorPageFaults,
		InputOps: r.InputOps, OutputOps: r.OutputOps, Killed: r.Killed,
	}
}

// refusal words what the core refused as ATO does.
func refusal(err error, lang string) error {
	var limited *perclient.Refusal
	var bad *engines.InvalidError
	var said *services.Error
	switch {
	case errors.As(err, &said):
		return err // already worded for the client
	case errors.As(err, &limited):
		return services.Errorf(services.KindUnavailable, "%s", limited.Reason)
	case errors.Is(err, engines.ErrBusy):
		return services.Errorf(services.KindUnavailable, "server busy: too many runs queued; try again later")
	case errors.Is(err, engines.ErrUnknownLanguage):
		return fmt.Errorf("invalid request: no such language: %s", lang)
	case errors.Is(err, engines.ErrUnavailable):
		return fmt.Errorf("invalid request: language not installed on this server: %s", lang)
	case errors.Is(err, engines.ErrNULByte):
		return errors.New("invalid request: argument contains null byte")
	case errors.As(err, &bad):
		return errors.New(bad.Error())
	}
	return &services.Error{Kind: services.KindInternal, Err: err}
}

func strs(list [][]byte) []string {
	out := make([]string, len(list))
	for i, b := range list {
		out[i] = string(b)
	}
	return out
}
