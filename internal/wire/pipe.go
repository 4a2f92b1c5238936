package wire

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/coder/websocket"
)

// pipeBuffer is how many bytes one direction of a pipe holds before a
// writer waits for the reader, as a socket's buffers would make it wait.
// A message larger than this still goes through once the queue is empty.
const pipeBuffer = 4 << 20

// ErrDropped is what Read and Write return once either end called
// CloseNow.
var ErrDropped = errors.New("wire: connection dropped")

// PipeConn is one end of an in-memory connection made by Pipe.
type PipeConn struct {
	in    *queue // what the other end wrote
	out   *queue // what this end writes
	limit atomic.Int64
}

var _ Conn = (*PipeConn)(nil)

// Pipe returns the two ends of an in-memory connection: what one end
// writes, the other reads, in order.
func Pipe() (*PipeConn, *PipeConn) {
	a, b := newQueue(), newQueue()
	return &PipeConn{in: a, out: b}, &PipeConn{in: b, out: a}
}

// queue is one direction of a pipe.
type queue struct {
	mu    sync.Mutex
	msgs  []message
	bytes int
	end   error         // set once: no more writes; Read returns it when drained
	wake  chan struct{} // the reader may have something to read
	room  chan struct{} // writers may have room
}

type message struct {
	typ websocket.MessageType
	b   []byte
}

func newQueue() *queue {
	return &queue{wake: make(chan struct{}, 1), room: make(chan struct{}, 1)}
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// finish ends the queue with err unless it has ended already. drop
// discards what was not read.
func (q *queue) finish(err error, drop bool) {
	q.mu.Lock()
	if q.end == nil {
		q.end = err
	}
	if drop {
		clear(q.msgs)
		q.msgs, q.bytes = nil, 0
	}
	q.mu.Unlock()
	signal(q.wake)
	signal(q.room)
}

func (q *queue) push(ctx context.Context, m message) error {
	q.mu.Lock()
	for q.end == nil && q.bytes > 0 && q.bytes+len(m.b) > pipeBuffer {
		q.mu.Unlock()
		select {
		case <-q.room:
		case <-ctx.Done():
			return ctx.Err()
		}
		q.mu.Lock()
	}
	defer q.mu.Unlock()
	if q.end != nil {
		var ce websocket.CloseError
		if errors.As(q.end, &ce) {
			return fmt.Errorf("wire: write after close: %w", q.end)
		}
		return q.end
	}
	q.msgs = append(q.msgs, m)
	q.bytes += len(m.b)
	signal(q.wake)
	return nil
}

func (q *queue) pop(ctx context.Context) (message, error) {
	for {
		q.mu.Lock()
		if len(q.msgs) > 0 {
			m := q.msgs[0]
			q.msgs[0] = message{}
			q.msgs = q.msgs[1:]
			q.bytes -= len(m.b)
			q.mu.Unlock()
			signal(q.room)
			return m, nil
		}
		end := q.end
		q.mu.Unlock()
		if end != nil {
			return message{}, end
		}
		select {
		case <-q.wake:
		case <-ctx.Done():
			return message{}, ctx.Err()
		}
	}
}

// Read returns the next message the other end wrote.
func (p *PipeConn) Read(ctx context.Context) (websocket.MessageType, []byte, error) {
	m, err := p.in.pop(ctx)
	if err != nil {
		return 0, nil, err
	}
	if limit := p.limit.Load(); limit > 0 && int64(len(m.b)) > limit {
		p.Close(websocket.StatusMessageTooBig, fmt.Sprintf("read limited at %d bytes", limit))
		return 0, nil, fmt.Errorf("read of %d bytes: %w", len(m.b), websocket.ErrMessageTooBig)
	}
	return m.typ, m.b, nil
}

// Write copies b to the other end, waiting while that end has more than
// a socket's worth unread.
func (p *PipeConn) Write(ctx context.Context, typ websocket.MessageType, b []byte) error {
	return p.out.push(ctx, message{typ: typ, b: append([]byte(nil), b...)})
}

func (p *PipeConn) SetReadLimit(n int64) { p.limit.Store(n) }

// Close ends both directions: the other end reads what was written, then
// a websocket.CloseError with code and reason; its writes fail.
func (p *PipeConn) Close(code websocket.StatusCode, reason string) error {
	ce := websocket.CloseError{Code: code, Reason: reason}
	p.out.finish(ce, false)
	p.in.finish(ce, false)
	return nil
}

// CloseNow ends both directions at once; unread messages are lost.
func (p *PipeConn) CloseNow() error {
	p.out.finish(ErrDropped, true)
	p.in.finish(ErrDropped, true)
	return nil
}
