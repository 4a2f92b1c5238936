// Package wsread reads WebSocket messages into a buffer that is reused
// from one message to the next, instead of the fresh, repeatedly grown
// slice websocket.Conn.Read returns: for large messages (a 1 MiB file, a
// burst of terminal output) the growing and zeroing was a large share of
// the cost of receiving.
package wsread

import (
	"bytes"
	"context"

	"github.com/coder/websocket"
)

// keep is the largest buffer kept between messages; a rare huge message
// does not pin its memory to an idle connection.
const keep = 4 << 20

// Reader reads messages from one connection; it is not safe for
// concurrent use (a connection has one reader anyway).
type Reader struct {
	buf bytes.Buffer
}

// Read returns the next message. The bytes are valid until the next Read.
func (r *Reader) Read(ctx context.Context, c *websocket.Conn) (websocket.MessageType, []byte, error) {
	if r.buf.Cap() > keep {
		r.buf = bytes.Buffer{}
	}
	r.buf.Reset()
	typ, rd, err := c.Reader(ctx)
	if err != nil {
		return 0, nil, err
	}
	if _, err := r.buf.ReadFrom(rd); err != nil {
		return 0, nil, err
	}
	return typ, r.buf.Bytes(), nil
}
