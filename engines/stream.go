package engines

import (
	"context"
	"io"
	"sync"
)

// stream is a run's queue of events, between the sandbox's output
// writers (the producers, one per stream) and the run's one consumer.
// Adjacent output of the same stream is merged into chunks of up to
// chunk bytes as the consumer takes it, so a fast consumer sees output as
// it arrives and a slow one sees it in few, full chunks. Its size is
// bounded by the output caps.
type stream struct {
	chunk int
	wake  chan struct{} // capacity 1: something was queued

	mu     sync.Mutex
	queue  []piece
	head   int     // bytes of queue[0] already taken
	result *Result // set once the run has ended
	err    error   // set instead when it could not happen
	ended  bool    // Done was taken
}

type piece struct {
	kind Kind
	data []byte
}

func newStream(chunk int) *stream {
	return &stream{chunk: chunk, wake: make(chan struct{}, 1)}
}

func (s *stream) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// push queues an event of kind with a copy of p.
func (s *stream) push(kind Kind, p []byte) {
	s.mu.Lock()
	s.queue = append(s.queue, piece{kind, append([]byte(nil), p...)})
	s.mu.Unlock()
	s.signal()
}

// finish queues Done after whatever is queued.
func (s *stream) finish(r *Result) {
	s.mu.Lock()
	s.result = r
	s.mu.Unlock()
	s.signal()
}

// fail queues a Done that says the run could not happen.
func (s *stream) fail(err error) {
	s.mu.Lock()
	s.err = err
	s.mu.Unlock()
	s.signal()
}

// next returns the next event, waiting for one until ctx ends; after
// Done it returns io.EOF.
func (s *stream) next(ctx context.Context) (Event, error) {
	for {
		s.mu.Lock()
		ev, ok := s.take()
		s.mu.Unlock()
		if ok {
			return ev, nil
		}
		if ev.Kind == Done {
			return Event{}, io.EOF
		}
		select {
		case <-s.wake:
		case <-ctx.Done():
			return Event{}, ctx.Err()
		}
	}
}

// take removes the next event if there is one. With none, it returns
// an Event of kind Done (and false) once Done was taken before.
func (s *stream) take() (Event, bool) {
	if len(s.queue) == 0 {
		switch {
		case s.ended:
			return Event{Kind: Done}, false
		case s.result != nil || s.err != nil:
			s.ended = true
			return Event{Kind: Done, Result: s.result, Err: s.err}, true
		}
		return Event{}, false
	}
	kind := s.queue[0].kind
	if kind != Stdout && kind != Stderr {
		s.queue = s.queue[1:]
		return Event{Kind: kind}, true
	}
	var out []byte
	for len(s.queue) > 0 && s.queue[0].kind == kind && len(out) < s.chunk {
		p := s.queue[0].data[s.head:]
		n := min(len(p), s.chunk-len(out))
		if out == nil && n == len(p) && len(s.queue) == 1 {
			out = p // the whole of the only piece: no copy
		} else {
			out = append(out, p[:n]...)
		}
		s.head += n
		if s.head == len(s.queue[0].data) {
			s.queue[0] = piece{}
			s.queue = s.queue[1:]
			s.head = 0
		}
	}
	if len(s.queue) == 0 {
		s.queue = nil // let the backing array go
	}
	return Event{Kind: kind, Data: out}, true
}
