package conman

import (
	"slices"
	"sync"
)

// outQueue is a session's bounded queue of encoded outgoing frames. push
// never blocks: when a frame would exceed the bounds it reports false and
// the caller disconnects the slow session.
type outQueue struct {
	mu        sync.Mutex
	frames    []frame
	urgent    int // frames at the head of frames that were pushed urgent
	bytes     int // queued, plus taken and not yet written (inflight)
	inflight  int
	maxFrames int
	maxBytes  int
	closed    bool
	wake      chan struct{} // capacity 1: "there is something to write"
}

func newOutQueue(maxFrames, maxBytes int) *outQueue {
	return &outQueue{maxFrames: maxFrames, maxBytes: maxBytes, wake: make(chan struct{}, 1)}
}

// push appends f. It returns false if the queue is closed or full.
func (q *outQueue) push(f frame) bool { return q.add(f, false) }

// pushUrgent puts f ahead of every queued frame that was not pushed
// urgent itself (urgent frames keep their order among themselves). It
// returns false if the queue is closed or full.
func (q *outQueue) pushUrgent(f frame) bool { return q.add(f, true) }

func (q *outQueue) add(f frame, urgent bool) bool {
	q.mu.Lock()
	if q.closed || len(q.frames) >= q.maxFrames || q.bytes+len(f.b) > q.maxBytes {
		q.mu.Unlock()
		return false
	}
	if urgent {
		q.frames = slices.Insert(q.frames, q.urgent, f)
		q.urgent++
	} else {
		q.frames = append(q.frames, f)
	}
	q.bytes += len(f.b)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
	return true
}

// idle reports whether nothing is queued (and the queue is open).
func (q *outQueue) idle() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return !q.closed && len(q.frames) == 0
}

// take moves every queued frame into dst (reused to avoid allocation).
func (q *outQueue) take(dst []frame) []frame {
	q.mu.Lock()
	dst = append(dst[:0], q.frames...)
	clear(q.frames)
	q.frames = q.frames[:0]
	q.urgent = 0
	q.inflight = q.bytes
	q.mu.Unlock()
	return dst
}

// takeUrgent moves the urgent frames queued since the last take into dst
// (reused), for the writer to send before the rest of its batch.
func (q *outQueue) takeUrgent(dst []frame) []frame {
	q.mu.Lock()
	defer q.mu.Unlock()
	dst = append(dst[:0], q.frames[:q.urgent]...)
	q.frames = slices.Delete(q.frames, 0, q.urgent)
	for _, f := range dst {
		q.inflight += len(f.b)
	}
	q.urgent = 0
	return dst
}

// written reports that the frames of the last take left the process, and
// returns how many bytes they were.
func (q *outQueue) written() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := q.inflight
	q.bytes -= n
	q.inflight = 0
	return n
}

// backlog is how many bytes are queued or being written.
func (q *outQueue) backlog() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.bytes
}

// drop throws away every queued frame (not the ones being written) and
// returns how many bytes they were.
func (q *outQueue) drop() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := 0
	for i, f := range q.frames {
		n += len(f.b)
		f.release()
		q.frames[i] = frame{}
	}
	q.frames = q.frames[:0]
	q.urgent = 0
	q.bytes -= n
	return n
}

// close refuses further frames; queued ones may still be taken.
func (q *outQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}
