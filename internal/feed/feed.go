// Package feed queues input for a program that may not be reading it: a
// terminal's `input`, a command's stdin. What waits is bounded in bytes
// as well as in messages, so a client typing megabytes into a program
// that never reads cannot grow pid1's memory; the caller refuses the
// input with a clear error instead.
//
// # Concurrency
//
// Put and Close may be called from any goroutine; one goroutine runs
// Drain, which writes in order.
package feed

import (
	"errors"
	"io"
	"sync"
	"sync/atomic"
)

// Bounds of a Queue.
const (
	MaxBytes    = 1 << 20 // bytes waiting to be written
	MaxMessages = 256     // messages waiting to be written
)

// ErrFull is Put's error when the program has not taken what waits.
var ErrFull = errors.New("too much input waiting")

// ErrClosed is Put's error after Close.
var ErrClosed = errors.New("input is closed")

// Queue is input waiting for a program.
type Queue struct {
	ch     chan string
	bytes  atomic.Int64
	mu     sync.Mutex // guards closed and sends on ch
	closed bool
}

// New returns an empty queue.
func New() *Queue { return &Queue{ch: make(chan string, MaxMessages)} }

// Put queues s, or fails with ErrFull when MaxBytes or MaxMessages are
// waiting already (a single message larger than MaxBytes goes only into an
// empty queue).
func (q *Queue) Put(s string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return ErrClosed
	}
	if n := q.bytes.Load(); n > 0 && n+int64(len(s)) > MaxBytes {
		return ErrFull
	}
	select {
	case q.ch <- s:
		q.bytes.Add(int64(len(s)))
		return nil
	default:
		return ErrFull
	}
}

// Close ends the input: Drain returns once what was queued is written.
func (q *Queue) Close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.closed {
		q.closed = true
		close(q.ch)
	}
}

// Drain writes what is queued to w, in order, until the queue is closed
// and empty, done is closed, or a write fails (the program closed its
// input or exited); after a failed write the rest is discarded.
func (q *Queue) Drain(w io.Writer, done <-chan struct{}) {
	failed := false
	for {
		select {
		case s, ok := <-q.ch:
			if !ok {
				return
			}
			if !failed {
				if _, err := io.WriteString(w, s); err != nil {
					failed = true
				}
			}
			q.bytes.Add(-int64(len(s)))
		case <-done:
			return
		}
	}
}
