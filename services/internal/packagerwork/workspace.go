package packagerwork

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/internal/fsroot"
	"github.com/pid1/pid1/internal/jobs"
	"github.com/pid1/pid1/internal/packager"
	"github.com/pid1/pid1/internal/reaper"
	"github.com/pid1/pid1/internal/textstream"
)

// workspace is packager.Workspace for one operation of w.
type workspace struct {
	w       *Worker
	ctx     context.Context
	stream  bool // Run's output goes to the channel
	environ []string
}

var _ packager.Workspace = (*workspace)(nil)

func (w *Worker) workspace(ctx context.Context, stream bool) *workspace {
	return &workspace{w: w, ctx: ctx, stream: stream, environ: w.cfg.Deps.Environ()}
}

func (ws *workspace) Dir() *fsroot.Dir         { return ws.w.cfg.Deps.Workspace }
func (ws *workspace) Environ() []string        { return ws.environ }
func (ws *workspace) Getenv(key string) string { return jobs.Getenv(ws.environ, key) }
func (ws *workspace) Client() *http.Client     { return ws.w.cfg.Client }
func (ws *workspace) Ignored() ([]string, []string) {
	return ws.w.ignored()
}

func (ws *workspace) Run(ctx context.Context, argv []string, env ...string) error {
	if ws.stream {
		ws.say("--> " + strings.Join(argv, " ") + "\n")
	}
	return ws.spawn(ctx, argv, env, nil)
}

func (ws *workspace) Output(ctx context.Context, argv []string, env ...string) ([]byte, error) {
	var out limitedBuffer
	err := ws.spawn(ctx, argv, env, &out)
	return out.Bytes(), err
}

// say broadcasts text as output, unless the channel has closed.
func (ws *workspace) say(text string) {
	if ws.ctx.Err() == nil && text != "" {
		services.Broadcast(ws.w.ch, &api.Command{Body: &api.Command_Output{Output: text}})
	}
}

// drainAfterExit bounds how long output is still read once the tool has
// exited, for a descendant that keeps its output open.
const drainAfterExit = 200 * time.Millisecond

// spawn runs argv to its end. Its stdout goes to stdout when that is set
// (stderr to the error's tail only), else both to the channel when the
// operation streams, and to the error's tail.
func (ws *workspace) spawn(ctx context.Context, argv []string, env []string, stdout io.Writer) error {
	if len(argv) == 0 {
		return errors.New("packager: nothing to run")
	}
	deps := ws.w.cfg.Deps
	environ := deps.Environ(env...)
	path, err := jobs.LookPath(argv[0], deps.Dir(), environ)
	if err != nil {
		return fmt.Errorf("%w (is %s installed?)", err, argv[0])
	}
	tail := &tailBuffer{max: packager.MaxToolOutput}
	var outSink io.Writer = tail
	if stdout != nil {
		outSink = io.MultiWriter(stdout, tail)
	} else if ws.stream {
		outSink = io.MultiWriter(tail, writerFunc(ws.say))
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		return err
	}
	errR, errW := outR, outW
	if stdout != nil {
		if errR, errW, err = os.Pipe(); err != nil {
			outR.Close()
			outW.Close()
			return err
		}
	}
	readers := []*os.File{outR}
	sinks := []io.Writer{outSink}
	if errR != outR {
		readers, sinks = append(readers, errR), append(sinks, tail)
	}
	var wg sync.WaitGroup
	for i, r := range readers {
		wg.Go(func() { pump(r, sinks[i]) })
	}
	exited := make(chan struct{})
	drain := func() {
		for _, r := range readers {
			r.SetReadDeadline(time.Now().Add(drainAfterExit))
		}
		wg.Wait()
		for _, r := range readers {
			r.Close()
		}
		close(exited)
	}
	spec := deps.Spec(path, argv)
	spec.Env = environ
	spec.Stdout, spec.Stderr, spec.Pdeathsig = outW, errW, syscall.SIGKILL
	type started struct {
		job *jobs.Job
		err error
	}
	start := make(chan started, 1)
	closeChild := func() {
		outW.Close()
		if errW != outW {
			errW.Close()
		}
	}
	if !ws.w.ch.Post(func() {
		var j *jobs.Job
		j, err := ws.w.sup.Start(spec, drain, func(reaper.Status, error) { ws.w.track(j, false) })
		closeChild()
		if err == nil {
			ws.w.track(j, true)
		}
		start <- started{j, err}
	}) {
		closeChild()
		return abandon(readers, jobs.ErrClosed)
	}
	var s started
	select {
	case s = <-start:
	case <-ctx.Done():
		select {
		case s = <-start: // it started after all: end it below
		default:
			// The actor closed before it ran the spawn, and never will.
			closeChild()
			return abandon(readers, ctx.Err())
		}
	}
	if s.err != nil {
		return abandon(readers, s.err)
	}
	select {
	case <-exited:
	case <-ctx.Done():
		s.job.Proc.SignalGroup(syscall.SIGKILL)
		<-exited
	}
	st, werr := s.job.Proc.Wait(context.Background())
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case werr != nil:
		return werr
	case st.Code != 0 || st.Signaled():
		return &packager.ToolError{Argv: argv, Status: st.String(), Output: tail.String()}
	}
	return nil
}

// abandon closes the readers of a tool that never started.
func abandon(readers []*os.File, err error) error {
	for _, r := range readers {
		r.Close()
	}
	return err
}

// track adds j to the tools running now, or removes it.
func (w *Worker) track(j *jobs.Job, running bool) {
	w.mu.Lock()
	if running {
		w.jobs[j] = true
	} else {
		delete(w.jobs, j)
	}
	w.mu.Unlock()
}

// pump copies r to sink in chunks cut at UTF-8 boundaries.
func pump(r io.Reader, sink io.Writer) {
	buf := make([]byte, 32<<10)
	var text textstream.Chunker
	for {
		n, err := r.Read(buf)
		if s := text.Next(buf[:n], err != nil); s != "" {
			io.WriteString(sink, s)
		}
		if err != nil {
			return
		}
	}
}

type writerFunc func(string)

func (f writerFunc) Write(p []byte) (int, error) { f(string(p)); return len(p), nil }

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - t.max; over > 0 {
		t.b = append(t.b[:0], t.b[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}

// maxOutput is the most a tool's stdout that pid1 reads (Output) may be.
const maxOutput = 16 << 20

// limitedBuffer is a buffer that stops growing at maxOutput.
type limitedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if room := maxOutput - l.b.Len(); room < len(p) {
		l.b.Write(p[:max(room, 0)])
		return len(p), nil
	}
	return l.b.Write(p)
}

func (l *limitedBuffer) Bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Bytes()
}
