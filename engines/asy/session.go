package asy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// session is one connection: stage 1 collects the task, stage 2 runs it.
type session struct {
	srv         *Server
	a           *Asy
	c           *websocket.Conn
	ctx         context.Context
	cancel      context.CancelFunc
	interactive bool
	restore     bool
	client      string
	log         *slog.Logger

	wmu   sync.Mutex // a text frame and its binary frame go out together
	ended sync.Once  // complete or deny, then close: once

	// Stage 1's state, on the reading goroutine.
	inputs      []*input
	size        int64
	opts        Options
	stdin       [][]byte
	missingSent bool
}

// input is one file of the task.
type input struct {
	name    string
	data    []byte // nil while it waits to be restored
	hash    Hash
	restore bool // to be taken from the cache
}

// errEnded is a session that has ended (its client was answered).
var errEnded = errors.New("asy: session ended")

func (s *session) serve() {
	idle := s.srv.cfg.Idle
	timer := time.AfterFunc(idle, func() { s.fail(deny("No start within %v: the task was dropped", idle)) })
	task, err := s.stage1()
	timer.Stop()
	if err != nil {
		s.fail(err)
		return
	}
	s.stage2(task)
}

// fail ends the session for err: a Denial is sent to the client, and so
// is a protocol error (as a denial); a client gone needs nothing.
func (s *session) fail(err error) {
	var d *Denial
	switch {
	case errors.As(err, &d):
		s.end("deny", map[string]string{"error": d.Reason})
	case errors.Is(err, errEnded), s.ctx.Err() != nil:
	default:
		var ce websocket.CloseError
		if errors.As(err, &ce) || errors.Is(err, io.EOF) {
			return
		}
		s.end("deny", map[string]string{"error": err.Error()})
	}
}

// read reads the next message.
func (s *session) read() (websocket.MessageType, []byte, error) {
	return s.c.Read(s.ctx)
}

// readFrame reads the next text message as a frame.
func (s *session) readFrame() (frame, error) {
	typ, b, err := s.read()
	if err != nil {
		return frame{}, err
	}
	if typ != websocket.MessageText {
		return frame{}, deny("Unexpected binary message: contents follow an input message that has them")
	}
	f, err := parseFrame(b)
	if err != nil {
		return frame{}, deny("Invalid message: %v", err)
	}
	return f, nil
}

// readBlob reads the binary frame that follows a message with contents.
func (s *session) readBlob(what string) ([]byte, error) {
	typ, b, err := s.read()
	if err != nil {
		return nil, err
	}
	if typ != websocket.MessageBinary {
		return nil, deny("Invalid message: %s must be followed by a binary message with its contents", what)
	}
	return b, nil
}

// stage1 reads the task's inputs and options up to start, answering
// missing (once) when files to restore are gone.
func (s *session) stage1() (Task, error) {
	for {
		f, err := s.readFrame()
		if err != nil {
			return Task{}, err
		}
		switch f.verb {
		case "input", "add": // "add" is what asyonline2's server called it
			err = s.input(f)
		case "options":
			var b optionsBody
			if err = decodeBody(f, &b); err == nil {
				err = b.apply(&s.opts, s.interactive)
			}
		case "start":
			var t Task
			var again bool
			if t, again, err = s.start(f); err == nil && !again {
				return t, nil
			}
		default:
			err = fmt.Errorf("unknown message %q: before start, send input, options or start", f.verb)
		}
		if err != nil {
			var d *Denial
			if !errors.As(err, &d) && s.ctx.Err() == nil && !isClosed(err) {
				err = deny("Invalid message: %v", err)
			}
			return Task{}, err
		}
	}
}

func isClosed(err error) bool {
	var ce websocket.CloseError
	return errors.As(err, &ce) || errors.Is(err, io.EOF) || errors.Is(err, context.Canceled)
}

// input takes one input message, and its contents when it has them.
func (s *session) input(f frame) error {
	var b inputBody
	if err := decodeBody(f, &b); err != nil {
		return err
	}
	switch {
	case b.Stream != nil:
		if b.Filename != nil || b.Hash != nil || b.Restore != nil {
			return errors.New("input: a stream input has no filename, hash or restore")
		}
		if *b.Stream != "stdin" {
			return fmt.Errorf("input: the only stream is stdin, not %q", *b.Stream)
		}
		if !s.interactive {
			return errors.New("input: stdin is only for interactive sessions (/asy/interactive)")
		}
		data, err := s.readBlob("input {stream: stdin}")
		if err != nil {
			return err
		}
		if err := s.grow(int64(len(data))); err != nil {
			return err
		}
		s.stdin = append(s.stdin, data)
		return nil
	case b.Filename == nil:
		return errors.New(`input: give a filename (or, interactive, stream: "stdin")`)
	}
	name := *b.Filename
	if err := CheckFileName(name); err != nil {
		return fmt.Errorf("input: %w", err)
	}
	in := &input{name: name}
	if (b.Hash != nil || b.Restore != nil) && !s.restore {
		return errors.New("input: hash and restore need the +restore sub-protocol")
	}
	if b.Restore != nil && *b.Restore {
		if b.Hash == nil {
			return fmt.Errorf("input %s: restore needs the file's hash", name)
		}
		h, err := ParseHash(*b.Hash)
		if err != nil {
			return fmt.Errorf("input %s: %w", name, err)
		}
		in.hash, in.restore = h, true
	} else {
		data, err := s.readBlob("input " + name)
		if err != nil {
			return err
		}
		if b.Hash != nil {
			h, err := CheckHash(*b.Hash, data)
			if err != nil {
				return fmt.Errorf("input %s: %w", name, err)
			}
			s.a.cache.Put(h, data)
			in.hash = h
		}
		in.data = data
	}
	return s.add(in)
}

// add puts an input in the task, replacing one of the same name.
func (s *session) add(in *input) error {
	for i, old := range s.inputs {
		if old.name == in.name {
			s.size -= int64(len(old.data))
			s.inputs = append(s.inputs[:i], s.inputs[i+1:]...)
			break
		}
	}
	if len(s.inputs) >= s.srv.cfg.MaxFiles {
		return deny("Too many files: at most %d", s.srv.cfg.MaxFiles)
	}
	if err := s.grow(int64(len(in.data))); err != nil {
		return err
	}
	s.inputs = append(s.inputs, in)
	return nil
}

// grow counts n more bytes of input.
func (s *session) grow(n int64) error {
	if s.size+n > s.srv.cfg.MaxBytes {
		return deny("Too much input: at most %d bytes", s.srv.cfg.MaxBytes)
	}
	s.size += n
	return nil
}

// missingFile is one entry of a missing message.
type missingFile struct {
	Filename string `json:"filename"`
	Hash     string `json:"hash"`
}

// start ends stage 1: the files are restored from the cache, or the
// client is told which are missing (again: back to stage 1).
func (s *session) start(f frame) (t Task, again bool, err error) {
	var b startBody
	if err := decodeBody(f, &b); err != nil {
		return t, false, err
	}
	if !s.interactive {
		if b.Main == nil {
			return t, false, errors.New("start: main must name the file to run")
		}
		if !s.has(*b.Main) {
			return t, false, fmt.Errorf("start: main %q is not one of the input files", *b.Main)
		}
	}
	var missing []missingFile
	for _, in := range s.inputs {
		if in.data != nil || !in.restore {
			continue
		}
		if data, ok := s.a.cache.Get(in.hash); ok && s.grow(int64(len(data))) == nil {
			in.data = data
			continue
		}
		missing = append(missing, missingFile{in.name, in.hash.String()})
	}
	if len(missing) > 0 {
		if s.missingSent {
			names := make([]string, len(missing))
			for i, m := range missing {
				names[i] = m.Filename
			}
			return t, false, deny("Files still missing after the server asked for them: %s", strings.Join(names, ", "))
		}
		s.missingSent = true
		if err := s.write("missing", missing, nil); err != nil {
			return t, false, err
		}
		return t, true, nil
	}
	t = Task{Options: s.opts, Interactive: s.interactive, Client: s.client}
	if !s.interactive {
		t.Main = *b.Main
	}
	for _, in := range s.inputs {
		t.Files = append(t.Files, File{Name: in.name, Data: in.data})
	}
	return t, false, nil
}

func (s *session) has(name string) bool {
	for _, in := range s.inputs {
		if in.name == name {
			return true
		}
	}
	return false
}

// stage2 runs the task, taking lowered durations and more input from
// the client meanwhile, and ends the session with complete or deny.
func (s *session) stage2(t Task) {
	var stdin *Input
	if t.Interactive {
		stdin = NewInput(s.ctx, s.stdin)
		defer stdin.Close()
		t.Stdin = stdin.Reader()
	}
	if ann := s.a.Announcement(); ann != "" {
		if s.write("status", statusBody{Announcement: ann}, nil) != nil {
			return
		}
	}
	job := s.a.NewJob(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		errText, err := job.Run(s.ctx, reporter{s})
		if err != nil {
			s.fail(err)
			return
		}
		body := map[string]string{}
		if errText != "" {
			body["error"] = errText
		}
		s.end("complete", body)
	}()
	defer func() { <-done }()
	for {
		f, err := s.readFrame()
		if err != nil {
			s.cancel()
			if !isClosed(err) {
				s.fail(err)
			}
			return
		}
		switch f.verb {
		case "options":
			var b optionsBody
			var d time.Duration
			if err = decodeBody(f, &b); err == nil {
				if d, err = b.lowering(); err == nil {
					job.Lower(d)
				}
			}
		case "input":
			var b inputBody
			if err = decodeBody(f, &b); err == nil {
				err = s.moreInput(b, stdin)
			}
		default:
			err = fmt.Errorf("unknown message %q: after start, send options {duration} or (interactive) input {stream: stdin}", f.verb)
		}
		if err != nil {
			if !isClosed(err) {
				var d *Denial
				if !errors.As(err, &d) {
					err = deny("Invalid message: %v", err)
				}
				s.fail(err)
			}
			s.cancel()
			return
		}
	}
}

// moreInput takes stdin for a running shell.
func (s *session) moreInput(b inputBody, stdin *Input) error {
	if b.Stream == nil || *b.Stream != "stdin" || b.Filename != nil || b.Hash != nil || b.Restore != nil {
		return errors.New(`input: after start, only input {stream: "stdin"} is taken`)
	}
	if stdin == nil {
		return errors.New("input: stdin is only for interactive sessions (/asy/interactive)")
	}
	data, err := s.readBlob("input {stream: stdin}")
	if err != nil {
		return err
	}
	if !stdin.Add(data) {
		return deny("Too much input waiting for asy to read it")
	}
	return nil
}

// end sends the session's last message (complete or deny) and closes.
func (s *session) end(verb string, body any) {
	s.ended.Do(func() {
		if s.write(verb, body, nil) == nil {
			s.c.Close(websocket.StatusNormalClosure, "")
		}
		s.cancel()
	})
}

// write sends a message, and its contents as a binary frame when blob
// is not nil.
func (s *session) write(verb string, body any, blob []byte) error {
	msg, err := encodeFrame(verb, body)
	if err != nil {
		s.log.Error("encoding a message", "err", err)
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	ctx, cancel := context.WithTimeout(s.ctx, s.srv.cfg.WriteTimeout)
	defer cancel()
	if err := s.c.Write(ctx, websocket.MessageText, msg); err != nil {
		s.cancel()
		return err
	}
	if blob != nil {
		if err := s.c.Write(ctx, websocket.MessageBinary, blob); err != nil {
			s.cancel()
			return err
		}
	}
	return nil
}

// reporter is the native protocol's Reporter.
type reporter struct{ s *session }

func (r reporter) Status(st Status) error {
	return r.s.write("status", statusBody{Queue: &queueStatus{Estimate: seconds(st.Estimate)}, Announcement: st.Announcement}, nil)
}

func (r reporter) Started() error {
	return r.s.write("output", map[string]string{"stream": "stdout"}, []byte{})
}

func (r reporter) Output(stream string, data []byte) error {
	return r.s.write("output", map[string]string{"stream": stream}, data)
}

func (r reporter) Result(format string, image []byte) error {
	return r.s.write("result", map[string]string{"format": format}, image)
}

// seconds is d in seconds, to a tenth.
func seconds(d time.Duration) float64 {
	return float64(d.Round(100*time.Millisecond)) / float64(time.Second)
}
