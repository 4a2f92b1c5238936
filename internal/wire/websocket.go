package wire

import (
	"bytes"
	"context"

	"github.com/coder/websocket"
)

// keep is the largest read buffer kept between messages; a rare huge
// message does not pin its memory to an idle connection.
const keep = 4 << 20

// WSConn is a Conn over a WebSocket. It reads each message into a buffer
// reused from one message to the next, instead of the fresh, repeatedly
// grown slice websocket.Conn.Read returns: for large messages (a file, a
// burst of terminal output) growing and zeroing was a large share of the
// cost of receiving.
type WSConn struct {
	c   *websocket.Conn
	buf bytes.Buffer
}

var _ Conn = (*WSConn)(nil)

// WebSocket wraps c.
func WebSocket(c *websocket.Conn) *WSConn { return &WSConn{c: c} }

// Read returns the next message; the bytes are valid until the next Read.
func (w *WSConn) Read(ctx context.Context) (websocket.MessageType, []byte, error) {
	if w.buf.Cap() > keep {
		w.buf = bytes.Buffer{}
	}
	w.buf.Reset()
	typ, rd, err := w.c.Reader(ctx)
	if err != nil {
		return 0, nil, err
	}
	if _, err := w.buf.ReadFrom(rd); err != nil {
		return 0, nil, err
	}
	return typ, w.buf.Bytes(), nil
}

func (w *WSConn) Write(ctx context.Context, typ websocket.MessageType, b []byte) error {
	return w.c.Write(ctx, typ, b)
}

func (w *WSConn) SetReadLimit(n int64) { w.c.SetReadLimit(n) }

func (w *WSConn) Close(code websocket.StatusCode, reason string) error {
	return w.c.Close(code, reason)
}

func (w *WSConn) CloseNow() error { return w.c.CloseNow() }
