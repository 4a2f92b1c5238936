package wire

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// readChunk is how much room a read of a message's payload is given when
// the buffer has less than minRead left.
const (
	readChunk = 32 << 10
	minRead   = 4 << 10
)

// keep is the largest read buffer given back for reuse; a rare huge
// message does not pin its memory.
const keep = 4 << 20

// readBuffers are the buffers messages are read into, shared by every
// connection: a connection holds one only from the moment a message
// begins until its next Read, so an idle connection holds none.
var readBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// WSConn is a Conn over a WebSocket. It reads each message into a pooled
// buffer that is reused from one message to the next, instead of the
// fresh, repeatedly grown slice websocket.Conn.Read returns: for large
// messages (a file, a burst of terminal output) growing and zeroing was a
// large share of the cost of receiving.
type WSConn struct {
	c     *websocket.Conn
	buf   *bytes.Buffer // the last message's; nil between messages
	stall time.Duration
}

var _ Conn = (*WSConn)(nil)

// DefaultStall is how long a message that has begun may go without a
// byte arriving before the connection is dropped (see SetStallTimeout).
const DefaultStall = 30 * time.Second

// WebSocket wraps c.
func WebSocket(c *websocket.Conn) *WSConn { return &WSConn{c: c, stall: DefaultStall} }

// SetStallTimeout sets how long a message whose header has arrived may go
// without more of its bytes before the connection is dropped. Waiting for
// a message to begin is not limited (an idle client is fine), but a peer
// that announces a frame and then sends nothing (or a header claiming
// 2^62 bytes) must not hold a connection and its reader forever. A slow
// peer that keeps sending is not cut off as long as each 32 KiB of a
// message (or its end) arrives within d.
func (w *WSConn) SetStallTimeout(d time.Duration) { w.stall = d }

// release gives the last message's buffer back.
func (w *WSConn) release() {
	if w.buf != nil && w.buf.Cap() <= keep {
		readBuffers.Put(w.buf)
	}
	w.buf = nil
}

// Read returns the next message; the bytes are valid until the next Read.
func (w *WSConn) Read(ctx context.Context) (websocket.MessageType, []byte, error) {
	w.release()
	typ, rd, err := w.c.Reader(ctx)
	if err != nil {
		return 0, nil, err
	}
	var stalled atomic.Bool
	watchdog := time.AfterFunc(w.stall, func() {
		stalled.Store(true)
		w.c.CloseNow()
	})
	defer watchdog.Stop()
	w.buf = readBuffers.Get().(*bytes.Buffer)
	w.buf.Reset()
	for {
		if w.buf.Available() < minRead {
			w.buf.Grow(readChunk)
		}
		b := w.buf.AvailableBuffer()
		n, err := rd.Read(b[:cap(b)])
		w.buf.Write(b[:n])
		if n > 0 {
			watchdog.Reset(w.stall)
		}
		switch {
		case err == io.EOF:
			return typ, w.buf.Bytes(), nil
		case err != nil && stalled.Load():
			return 0, nil, fmt.Errorf("%w: no byte of the message for %v", ErrStalled, w.stall)
		case err != nil:
			return 0, nil, err
		}
	}
}

// ErrStalled is the error of a Read whose message stopped arriving.
var ErrStalled = errors.New("wire: message stalled")

func (w *WSConn) Write(ctx context.Context, typ websocket.MessageType, b []byte) error {
	return w.c.Write(ctx, typ, b)
}

func (w *WSConn) SetReadLimit(n int64) { w.c.SetReadLimit(n) }

func (w *WSConn) Close(code websocket.StatusCode, reason string) error {
	return w.c.Close(code, reason)
}

func (w *WSConn) CloseNow() error { return w.c.CloseNow() }
