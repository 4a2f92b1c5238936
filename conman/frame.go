package conman

import (
	"sync"
	"sync/atomic"

	"google.golang.org/protobuf/proto"

	"github.com/pid1/pid1/api"
)

// frame is one encoded outgoing command in a session's queue. A large one
// (a file read, a burst of terminal output) is encoded into a pooled buffer
// shared by every session it goes to, since encoding into a fresh large
// slice (memory no cache holds, and more for the collector) costs many
// times what encoding into a warm reused one does. The last session to write it gives the
// buffer back. A frame that is never written (its session went away)
// leaves its buffer to the garbage collector, which is always safe.
type frame struct {
	b      []byte
	shared *sharedBuf // nil unless b is in a pooled buffer
}

// sharedBuf is a pooled encoding buffer and the number of queues still
// holding it.
type sharedBuf struct {
	buf  []byte
	refs atomic.Int32
}

const (
	// poolFrom is the size from which frames use pooled buffers; below it
	// an allocation is cheap and fan-out to many sessions stays simple.
	poolFrom = 64 << 10
	// poolUpTo is the largest buffer the pool keeps.
	poolUpTo = 4 << 20
)

var framePool = sync.Pool{New: func() any { return new(sharedBuf) }}

// encodeFrame encodes cmd. The caller holds one reference: it retains the
// frame once per queue it pushes it to, and then releases its own.
func encodeFrame(cmd *api.Command) (frame, error) {
	size := proto.Size(cmd)
	enc := proto.MarshalOptions{UseCachedSize: true}
	if size < poolFrom {
		b, err := enc.Marshal(cmd)
		return frame{b: b}, err
	}
	sb := framePool.Get().(*sharedBuf)
	if cap(sb.buf) < size {
		sb.buf = make([]byte, 0, bufSize(size))
	}
	b, err := enc.MarshalAppend(sb.buf[:0], cmd)
	if err != nil {
		framePool.Put(sb)
		return frame{}, err
	}
	sb.refs.Store(1)
	return frame{b: b, shared: sb}, nil
}

// retain adds a holder of f.
func (f frame) retain() {
	if f.shared != nil {
		f.shared.refs.Add(1)
	}
}

// release says one holder is done with f; the last one pools its buffer.
func (f frame) release() {
	if f.shared == nil || f.shared.refs.Add(-1) != 0 {
		return
	}
	if cap(f.shared.buf) <= poolUpTo {
		framePool.Put(f.shared)
	}
}

// bufSize is the capacity to allocate for a frame of n bytes: the next
// power of two, so that the buffer serves later frames of about the same
// size too (beyond poolUpTo, which is not pooled, exactly n).
func bufSize(n int) int {
	if n > poolUpTo {
		return n
	}
	c := poolFrom
	for c < n {
		c <<= 1
	}
	return c
}
