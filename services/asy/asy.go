package asy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/engines/asy"
)

// Descriptor registers the service over a (shared with the native
// endpoints). With a nil a (the engines are off) channels still open, and
// asyRun is refused, saying why.
func Descriptor(a *asy.Asy) services.Descriptor {
	return services.Descriptor{Name: "asy", WellKnown: "asyer",
		Writes: services.BodySet("asyRun", "asyInput", "asyOptions", "asyKill"),
		New: func(ch services.Channel) (services.Service, error) {
			return &Asy{a: a, ch: ch}, nil
		}}
}

var errOff = services.Errorf(services.KindUnavailable, "the execution engines are off in this pid1 (-engines=false, or its sandbox cannot run here)")

// Asy is one asy channel. Its fields are used on the channel's actor.
type Asy struct {
	a   *asy.Asy
	ch  services.Channel
	cur *task
}

// task is the task going on, and whom to answer.
type task struct {
	job    *asy.Job
	input  *asy.Input // interactive only
	from   services.Session
	req    *api.Command
	cancel context.CancelFunc
	killed bool
}

var _ services.Service = (*Asy)(nil)

// Command handles asyRun, asyInput, asyOptions and asyKill.
func (s *Asy) Command(from services.Session, cmd *api.Command) error {
	switch b := cmd.Body.(type) {
	case *api.Command_AsyRun:
		if s.a == nil {
			return errOff
		}
		if s.cur != nil {
			return errors.New("a task is going: wait for its asyComplete, or send asyKill")
		}
		return s.run(from, cmd, b.AsyRun)
	case *api.Command_AsyInput:
		switch {
		case s.cur == nil:
			return errors.New("no task is going")
		case s.cur.input == nil:
			return errors.New("the task is not interactive: it takes no input")
		case !s.cur.input.Add(b.AsyInput.GetData()):
			return services.Errorf(services.KindUnavailable, "too much input waiting for asy to read it")
		}
	case *api.Command_AsyOptions:
		d := b.AsyOptions.GetDuration()
		switch {
		case s.cur == nil:
			return errors.New("no task is going")
		case !(d > 0 && d <= 3600):
			return fmt.Errorf("duration must be a positive number of seconds, not %v", d)
		}
		s.cur.job.Lower(time.Duration(d * float64(time.Second)))
	case *api.Command_AsyKill:
		if s.cur == nil {
			return errors.New("no task is going")
		}
		s.cur.killed = true
		s.cur.cancel()
	default:
		return fmt.Errorf("asy takes asyRun, asyInput, asyOptions and asyKill, not %s", services.BodyName(cmd))
	}
	services.Reply(s.ch, from, cmd, services.OK())
	return nil
}

// run checks a task, restores its files, and starts it.
func (s *Asy) run(from services.Session, cmd *api.Command, r *api.AsyRun) error {
	opts := asy.Options{Format: r.GetFormat(), Duration: time.Duration(r.GetDuration() * float64(time.Second)),
		StderrRedir: !r.GetStderrApart(), Verbosity: int(min(r.GetVerbosity(), 4))}
	if opts.Format == "" {
		opts.Format = "svg"
	}
	if err := opts.Check(r.GetInteractive()); err != nil {
		return err
	}
	t := asy.Task{Options: opts, Interactive: r.GetInteractive(), Client: fmt.Sprintf("user:%d", from.User.ID)}
	var missing []*api.AsyFile
	for _, f := range r.GetFiles() {
		file, err := s.file(f)
		if err != nil {
			return err
		}
		if file == nil {
			missing = append(missing, &api.AsyFile{Filename: f.GetFilename(), Hash: f.GetHash()})
			continue
		}
		t.Files = append(t.Files, *file)
	}
	if !t.Interactive { // an interactive task's main is ignored, as asyonline's is
		t.Main = r.GetMain()
		if !hasFile(r.GetFiles(), t.Main) {
			return fmt.Errorf("main %q is not one of the files", t.Main)
		}
		if len(r.GetStdin()) > 0 {
			return errors.New("stdin is only for interactive tasks")
		}
	}
	if len(missing) > 0 {
		services.Reply(s.ch, from, cmd, &api.Command{Body: &api.Command_AsyMissing{AsyMissing: &api.AsyMissing{Files: missing}}})
		return nil
	}
	ctx, cancel := context.WithCancel(s.ch.Context())
	cur := &task{from: from, req: cmd, cancel: cancel}
	if t.Interactive {
		var first [][]byte
		if len(r.GetStdin()) > 0 {
			first = append(first, r.GetStdin())
		}
		cur.input = asy.NewInput(ctx, first)
		t.Stdin = cur.input.Reader()
	}
	cur.job = s.a.NewJob(t)
	s.cur = cur
	if !s.ch.Go(func(chCtx context.Context) { s.work(ctx, cur) }) {
		cancel()
		if cur.input != nil {
			cur.input.Close()
		}
		s.cur = nil
		return services.Errorf(services.KindUnavailable, "the channel is closing")
	}
	return nil
}

// file is one file of the task: its contents as given (remembered when
// it has a hash), or restored by hash; nil when it is no longer there.
func (s *Asy) file(f *api.AsyFile) (*asy.File, error) {
	name := f.GetFilename()
	if err := asy.CheckFileName(name); err != nil {
		return nil, err
	}
	if f.GetRestore() {
		if len(f.GetContents()) > 0 {
			return nil, fmt.Errorf("file %s: restore takes a hash, not contents", name)
		}
		h, err := asy.ParseHash(f.GetHash())
		if err != nil {
			return nil, fmt.Errorf("file %s: %w", name, err)
		}
		data, ok := s.a.Cache().Get(h)
		if !ok {
			return nil, nil
		}
		return &asy.File{Name: name, Data: data}, nil
	}
	if f.GetHash() != "" {
		h, err := asy.CheckHash(f.GetHash(), f.GetContents())
		if err != nil {
			return nil, fmt.Errorf("file %s: %w", name, err)
		}
		s.a.Cache().Put(h, f.GetContents())
	}
	return &asy.File{Name: name, Data: f.GetContents()}, nil
}

func hasFile(fs []*api.AsyFile, name string) bool {
	for _, f := range fs {
		if f.GetFilename() == name {
			return true
		}
	}
	return false
}

// work runs the task and hands its end to the actor.
func (s *Asy) work(ctx context.Context, cur *task) {
	errText, err := cur.job.Run(ctx, reporter{s.ch})
	if cur.input != nil {
		cur.input.Close()
	}
	s.ch.Post(func() { s.finish(cur, errText, err) })
}

// finish answers the task's sender (and tells the others) how it ended.
func (s *Asy) finish(cur *task, errText string, err error) {
	if s.cur == cur {
		s.cur = nil
	}
	cur.cancel()
	var d *asy.Denial
	switch {
	case errors.As(err, &d):
		services.Reply(s.ch, cur.from, cur.req, services.ErrorCommand(d.Reason))
		return
	case err != nil && cur.killed:
		errText = "Execution aborted by asyKill"
	case err != nil:
		return // the channel is closing
	}
	done := &api.Command{Body: &api.Command_AsyComplete{AsyComplete: &api.AsyComplete{Error: errText}}}
	services.Reply(s.ch, cur.from, cur.req, done)
	done.Ref = ""
	services.Others(s.ch, cur.from.ID, done)
}

// Detach aborts the task of a sender who leaves.
func (s *Asy) Detach(from services.Session) {
	if s.cur != nil && s.cur.from.ID == from.ID {
		s.cur.cancel()
	}
}

// reporter sends a task's progress to everyone attached.
type reporter struct{ ch services.Channel }

func (r reporter) Status(st asy.Status) error {
	services.Broadcast(r.ch, &api.Command{Body: &api.Command_AsyStatus{AsyStatus: &api.AsyStatus{
		Estimate: st.Estimate.Round(100 * time.Millisecond).Seconds(), Announcement: st.Announcement}}})
	return nil
}

func (r reporter) Started() error {
	services.Broadcast(r.ch, &api.Command{Body: &api.Command_AsyOutput{AsyOutput: &api.AsyOutput{}}})
	return nil
}

func (r reporter) Output(stream string, data []byte) error {
	st := api.AsyOutput_STDOUT
	if stream == "stderr" {
		st = api.AsyOutput_STDERR
	}
	services.Broadcast(r.ch, &api.Command{Body: &api.Command_AsyOutput{AsyOutput: &api.AsyOutput{Stream: st, Data: data}}})
	return nil
}

func (r reporter) Result(format string, image []byte) error {
	services.Broadcast(r.ch, &api.Command{Body: &api.Command_AsyResult{AsyResult: &api.AsyResult{Format: format, Image: image}}})
	return nil
}
