package asy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pid1/pid1/engines"
	"github.com/pid1/pid1/engines/perclient"
)

// Engine is what Asy needs of the execution core.
type Engine interface {
	Start(ctx context.Context, req engines.Request) (*engines.Run, error)
}

// Config configures an Asy.
type Config struct {
	Engine Engine
	Queue  QueueConfig
	// CacheBytes bounds the restore cache (default 64 MiB).
	CacheBytes int64
	// OutputLimit is how much asy may write, both streams together,
	// before it is stopped (default 256 KiB).
	OutputLimit int64
	// ImageLimit is the largest picture returned (default 1 MiB, the
	// core's largest).
	ImageLimit int64
	// InteractiveLimit is how long a shell may run (default 60 s, the
	// core's longest run).
	InteractiveLimit time.Duration
	// Announcement goes to clients in status messages and GET
	// /asy/status (a maintenance warning, say); "" for none.
	Announcement string
	Log          *slog.Logger
}

// Asy runs asyonline's tasks: one is shared by the native endpoint and
// the channel service.
type Asy struct {
	cfg   Config
	queue *Queue
	cache *Cache
	log   *slog.Logger
}

// New makes an Asy.
func New(cfg Config) *Asy {
	if cfg.CacheBytes <= 0 {
		cfg.CacheBytes = 64 << 20
	}
	if cfg.OutputLimit <= 0 {
		cfg.OutputLimit = 256 << 10
	}
	if cfg.ImageLimit <= 0 {
		cfg.ImageLimit = 1 << 20
	}
	if cfg.InteractiveLimit <= 0 {
		cfg.InteractiveLimit = 60 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Asy{cfg: cfg, queue: NewQueue(cfg.Queue), cache: NewCache(cfg.CacheBytes), log: cfg.Log.With("engine", "asy")}
}

// Cache is the restore cache.
func (a *Asy) Cache() *Cache { return a.cache }

// Queue is the task queue.
func (a *Asy) Queue() *Queue { return a.queue }

// Announcement is the server's announcement ("" for none).
func (a *Asy) Announcement() string { return a.cfg.Announcement }

// The formats asy writes a picture in.
var formats = []string{"svg", "pdf", "png"}

// Options are a task's options, as the client set them.
type Options struct {
	Format string // svg (the default), pdf or png
	// Duration is the time limit the client asked for (3, 10 or 30 s);
	// 0 lets the server decide.
	Duration time.Duration
	// StderrRedir sends asy's stderr as stdout (the default).
	StderrRedir bool
	// Verbosity is 0 to 3: asy's -v, -vv, -vvv.
	Verbosity int
}

// DefaultOptions are the options of a client that sets none.
var DefaultOptions = Options{Format: "svg", StderrRedir: true}

// File is one input file.
type File struct {
	Name string
	Data []byte
}

// Task is one thing to run: a program (its files and which is the main
// one) or, Interactive, a shell reading Stdin.
type Task struct {
	Files       []File
	Main        string
	Options     Options
	Interactive bool
	Stdin       io.Reader
	// Client is who asks, for the engine's per-client limits.
	Client string
}

// Status is what a waiting task hears.
type Status struct {
	Estimate     time.Duration
	Announcement string
}

// Reporter receives a task's progress; an error from it ends the task
// (the client is gone).
type Reporter interface {
	// Status: the task waits; it is sent again as the estimate changes.
	Status(Status) error
	// Started: asy starts.
	Started() error
	// Output is what asy writes, "stdout" or "stderr".
	Output(stream string, data []byte) error
	// Result is the picture.
	Result(format string, image []byte) error
}

// Denial is why a task is not run at all: the client gets deny {error}.
type Denial struct{ Reason string }

func (d *Denial) Error() string { return d.Reason }

func deny(format string, args ...any) *Denial { return &Denial{fmt.Sprintf(format, args...)} }

// The denials of tasks the server has no room for.
var (
	denyOverloaded = &Denial{"Server is overloaded, try again later"}
	denyNoRoom     = &Denial{"Server is busy: no room for an interactive session now, try again later"}
	denyInternal   = &Denial{"Internal server error"}
)

// The errors of complete {error}, in asyonline's words.
const (
	errFailed  = "Execution failed"
	errNoImage = "No image output"
)

func timeLimitError(d time.Duration) string {
	s := strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
	if !containsDot(s) {
		s += ".0"
	}
	return "Execution aborted due to the time limit (" + s + "s)"
}

func outputLimitError(n int64) string {
	return "Execution aborted due to the output limit (" + strconv.FormatInt(n, 10) + "B)"
}

func containsDot(s string) bool {
	for i := range len(s) {
		if s[i] == '.' || s[i] == 'e' {
			return true
		}
	}
	return false
}

// Job is a task on its way; its time limit may be lowered while it
// waits or runs.
type Job struct {
	a *Asy
	t Task

	mu      sync.Mutex
	limit   time.Duration // 0 until Run sets it, unless lowered before
	started time.Time     // when asy started
	timer   *time.Timer   // fires at started+limit
}

// NewJob prepares a task (which the caller has checked).
func (a *Asy) NewJob(t Task) *Job { return &Job{a: a, t: t} }

// Lower lowers the time limit to d, if that is lower.
func (j *Job) Lower(d time.Duration) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.limit != 0 && d >= j.limit {
		return
	}
	j.limit = d
	if j.timer != nil {
		j.timer.Reset(max(time.Until(j.started.Add(d)), 0))
	}
}

// Limit is the time limit now.
func (j *Job) Limit() time.Duration {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.limit
}

// Run waits for the task's turn, runs it, and reports: the error of
// complete ("" for none), or a *Denial, or why the client is gone.
func (j *Job) Run(ctx context.Context, rep Reporter) (string, error) {
	a, t := j.a, j.t
	class, wait := Auto, true
	switch {
	case t.Interactive:
		class, wait = Slow, false
	case t.Options.Duration != 0:
		class, _ = classOf(t.Options.Duration)
	}
	announce := a.cfg.Announcement
	class, release, err := a.queue.Acquire(ctx, class, wait, func(est time.Duration) error {
		return rep.Status(Status{Estimate: est, Announcement: announce})
	})
	switch {
	case errors.Is(err, errQueueFull):
		return "", denyOverloaded
	case errors.Is(err, errNoRoom):
		return "", denyNoRoom
	case err != nil:
		return "", err
	}
	var ran time.Duration
	defer func() { release(ran) }()
	engineLimit := class.Duration()
	if t.Interactive {
		engineLimit = a.cfg.InteractiveLimit
	}
	j.Lower(engineLimit)

	run, err := a.cfg.Engine.Start(ctx, j.request(engineLimit))
	if err != nil {
		return "", a.denial(err)
	}
	defer j.stopTimer()
	var (
		written  int64
		cut      bool        // output passed its limit
		timedOut atomic.Bool // the time limit (perhaps lowered) passed
		repErr   error
	)
	for {
		ev, err := run.Next(ctx)
		if err != nil {
			return "", err // the client is gone: the run dies with ctx
		}
		switch ev.Kind {
		case engines.Started:
			j.startTimer(func() { timedOut.Store(true); run.Kill() })
			repErr = rep.Started()
		case engines.Stdout, engines.Stderr:
			if cut {
				continue
			}
			data := ev.Data
			if room := a.cfg.OutputLimit - written; int64(len(data)) > room {
				data, cut = data[:room], true
				run.Kill()
			}
			written += int64(len(data))
			stream := "stdout"
			if ev.Kind == engines.Stderr && !t.Options.StderrRedir {
				stream = "stderr"
			}
			if len(data) > 0 {
				repErr = rep.Output(stream, data)
			}
		case engines.Done:
			j.stopTimer()
			if ev.Err != nil {
				return "", a.denial(ev.Err)
			}
			r := ev.Result
			ran = r.Real
			return j.outcome(r, timedOut.Load(), cut, rep)
		}
		if repErr != nil {
			run.Kill()
			return "", repErr
		}
	}
}

// outcome is complete's error for how the run ended; a picture goes to
// rep first.
func (j *Job) outcome(r *engines.Result, timedOut, cut bool, rep Reporter) (string, error) {
	a, t := j.a, j.t
	switch {
	case timedOut || r.TimedOut:
		return timeLimitError(j.Limit()), nil
	case cut:
		return outputLimitError(a.cfg.OutputLimit), nil
	case r.Status != engines.Exited || r.Value != 0:
		return errFailed, nil
	}
	want := "out." + t.Options.Format
	for _, f := range r.Files {
		if f.Name == want {
			return "", rep.Result(t.Options.Format, f.Data)
		}
	}
	if t.Interactive {
		return "", nil // a shell need not draw
	}
	return errNoImage, nil
}

// request is the core's request for the task.
func (j *Job) request(limit time.Duration) engines.Request {
	t := j.t
	opts := []string{"-f", t.Options.Format}
	for range t.Options.Verbosity {
		opts = append(opts, "-v")
	}
	req := engines.Request{
		Language: "asymptote", Options: opts, Timeout: limit, Client: t.Client,
		StdoutCap: j.a.cfg.ImageLimit, StderrCap: j.a.cfg.ImageLimit,
	}
	for _, f := range t.Files {
		if !t.Interactive && f.Name == t.Main {
			req.Name, req.Code = f.Name, f.Data
			continue
		}
		req.Files = append(req.Files, engines.File{Name: f.Name, Data: f.Data})
	}
	if t.Interactive {
		req.Shell, req.Stdin = true, t.Stdin
		if req.Stdin == nil {
			req.Stdin = eofReader{}
		}
	}
	return req
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// startTimer starts the time limit when asy starts.
func (j *Job) startTimer(expire func()) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.started = time.Now()
	j.timer = time.AfterFunc(j.limit, func() {
		j.mu.Lock()
		defer j.mu.Unlock()
		if j.timer != nil {
			expire()
		}
	})
}

func (j *Job) stopTimer() {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.timer != nil {
		j.timer.Stop()
		j.timer = nil
	}
}

// denial words what the core refused.
func (a *Asy) denial(err error) error {
	var refusal *perclient.Refusal
	var bad *engines.InvalidError
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.As(err, &refusal):
		return &Denial{refusal.Reason}
	case errors.Is(err, engines.ErrBusy):
		return denyOverloaded
	case errors.As(err, &bad):
		return deny("Invalid task: %s", bad.Detail)
	case errors.Is(err, engines.ErrUnknownLanguage), errors.Is(err, engines.ErrUnavailable):
		return &Denial{"Asymptote is not installed on this server"}
	}
	a.log.Error("a task could not run", "err", err)
	return denyInternal
}
