package client

import (
	"sync"

	"github.com/pid1/pid1/api"
)

// stream is an unbounded FIFO of commands exposed as a Go channel.
type stream struct {
	mu     sync.Mutex
	queue  []*api.Command
	closed bool
	wake   chan struct{}
	out    chan *api.Command
	dead   <-chan struct{} // closed by Client.Close: stop delivering
}

func newStream(dead <-chan struct{}) *stream {
	s := &stream{wake: make(chan struct{}, 1), out: make(chan *api.Command), dead: dead}
	go s.pump()
	return s
}

func (s *stream) push(c *api.Command) {
	s.mu.Lock()
	if !s.closed {
		s.queue = append(s.queue, c)
	}
	s.mu.Unlock()
	s.signal()
}

func (s *stream) close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.signal()
}

func (s *stream) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// pump moves queued commands to out, closing out after close once the
// queue is drained, or at once when the client is closed.
func (s *stream) pump() {
	defer close(s.out)
	for {
		s.mu.Lock()
		if len(s.queue) == 0 {
			closed := s.closed
			s.mu.Unlock()
			if closed {
				return
			}
			select {
			case <-s.wake:
			case <-s.dead:
				return
			}
			continue
		}
		c := s.queue[0]
		s.queue[0] = nil
		s.queue = s.queue[1:]
		s.mu.Unlock()
		select {
		case s.out <- c:
		case <-s.dead:
			return
		}
	}
}
