package exec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/internal/feed"
	"github.com/pid1/pid1/internal/jobs"
	"github.com/pid1/pid1/internal/reaper"
	"github.com/pid1/pid1/internal/textstream"
)

// drainAfterExit bounds how long output is still read once the command
// has exited, for descendants that keep its stdout open (`sleep 100 &`).
const drainAfterExit = 200 * time.Millisecond

// job is one running command.
type job struct {
	req request
	*jobs.Job

	in      *os.File    // our end of its stdin; nil unless lifecycle STDIN
	inQueue *feed.Queue // input waiting to be written to in
}

// spawn starts req's command with its output pumped to the channel.
func (e *Exec) spawn(req request) (*job, error) {
	x := req.cmd.GetExec()
	env := e.environ(x.GetEnv(), x.GetNoUserEnv(), x.GetSplitLogs())
	dir := e.sup.Deps().Dir()
	path, err := jobs.LookPath(x.Args[0], dir, env)
	if err != nil {
		return nil, err
	}
	var parent, child []*os.File // our ends, and the ends the child gets
	defer func() {
		for _, f := range child {
			f.Close()
		}
	}()
	pipe := func() (r, w *os.File) {
		if err != nil {
			return nil, nil
		}
		r, w, err = os.Pipe()
		return r, w
	}
	outR, outW := pipe()
	errR, errW := outR, outW
	if x.GetSplitStderr() {
		errR, errW = pipe()
	}
	var inR, inW *os.File
	if x.GetLifecycle() == api.Exec_STDIN {
		inR, inW = pipe()
	}
	var logR, logW *os.File // fd 3 (LOG_FD) with splitLogs
	if x.GetSplitLogs() {
		logR, logW = pipe()
	}
	for _, f := range []*os.File{outR, errR, inW, logR} {
		if f != nil && !contains(parent, f) {
			parent = append(parent, f)
		}
	}
	for _, f := range []*os.File{outW, errW, inR, logW} {
		if f != nil && !contains(child, f) {
			child = append(child, f)
		}
	}
	if err == nil {
		j := &job{req: req, in: inW}
		streams := []stream{{outR, asOutput}}
		if errR != outR {
			streams = append(streams, stream{errR, asStderr})
		}
		if logR != nil {
			streams = append(streams, stream{logR, asLog})
		}
		drain := e.watch(j, streams)
		spec := e.sup.Deps().Spec(path, x.Args)
		spec.Env = env
		spec.Stdin, spec.Stdout, spec.Stderr, spec.Pdeathsig = inR, outW, errW, syscall.SIGKILL
		if logW != nil {
			spec.ExtraFiles = []*os.File{logW}
		}
		j.Job, err = e.sup.Start(spec, drain, func(st reaper.Status, err error) { e.finish(j, st, err) })
		if err == nil {
			return j, nil
		}
		j.closeStdin() // its writer ends; the pumps end as the pipes close
	}
	for _, f := range parent {
		f.Close()
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return nil, pe // "fork/exec /bin/x: permission denied", without the reaper's prefix
	}
	return nil, err
}

func contains(fs []*os.File, f *os.File) bool {
	for _, x := range fs {
		if x == f {
			return true
		}
	}
	return false
}

// watch pumps j's output to the channel, on goroutines the channel owns,
// and returns what to do once the command has exited: read what is left
// of its output (for a moment, since a background child may hold the
// pipe open), then close its pipes.
func (e *Exec) watch(j *job, streams []stream) (drain func()) {
	if j.in != nil {
		j.inQueue = feed.New()
		e.ch.Go(func(context.Context) { j.writeStdin() })
	}
	var wg sync.WaitGroup
	for _, s := range streams {
		wg.Add(1)
		if !e.ch.Go(func(context.Context) { defer wg.Done(); e.pump(s.r, s.as) }) {
			wg.Done()
		}
	}
	return func() {
		for _, s := range streams {
			s.r.SetReadDeadline(time.Now().Add(drainAfterExit))
		}
		wg.Wait()
		for _, s := range streams {
			s.r.Close()
		}
		j.closeStdin()
	}
}

// stream is one of a command's outputs and the command its text goes out
// as.
type stream struct {
	r  *os.File
	as func(text string) *api.Command
}

func asOutput(text string) *api.Command { return &api.Command{Body: &api.Command_Output{Output: text}} }
func asStderr(text string) *api.Command { return &api.Command{Body: &api.Command_Stderr{Stderr: text}} }
func asLog(text string) *api.Command    { return &api.Command{Body: &api.Command_Log{Log: text}} }

// pump broadcasts what r yields, each chunk as as makes it. It waits for
// each chunk to be handed to the channel before reading the next, so a
// chatty command is slowed to what the channel can take. Chunks are cut
// at UTF-8 boundaries; invalid bytes become U+FFFD.
func (e *Exec) pump(r io.Reader, as func(string) *api.Command) {
	buf := make([]byte, 32<<10)
	send := func(text string) bool {
		if text == "" {
			return true
		}
		cmd := as(text)
		done := make(chan struct{})
		if !e.ch.Post(func() {
			services.Broadcast(e.ch, cmd)
			close(done)
		}) {
			return false
		}
		<-done
		return true
	}
	var text textstream.Chunker
	for {
		n, err := r.Read(buf)
		if !send(text.Next(buf[:n], err != nil)) || err != nil {
			return
		}
	}
}

// feed queues s for the command's stdin.
func (j *job) feed(s string) error {
	if err := j.inQueue.Put(s); err != nil {
		if errors.Is(err, feed.ErrClosed) {
			return errors.New("the command's stdin is closed (inputClose)")
		}
		return fmt.Errorf("stdin is full: the command is not reading its input (%d KiB wait already)", feed.MaxBytes>>10)
	}
	return nil
}

// writeStdin writes what is fed until inputClose or the command's end.
func (j *job) writeStdin() {
	j.inQueue.Drain(j.in, nil)
	j.in.Close()
}

// closeStdin ends the command's input once what was fed is written.
func (j *job) closeStdin() {
	if j.inQueue != nil {
		j.inQueue.Close()
	}
}

// kill ends the command and everything in its process group.
func (j *job) kill() {
	j.closeStdin()
	j.Stop()
}
