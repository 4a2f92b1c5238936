package ato

import (
	"context"
	"io"

	"github.com/coder/websocket"
)

// readLimit is the most one message may hold before the library itself
// closes the connection (1009). Up to it, a message over maxMessage is
// read to its end, only to say how large it was.
const readLimit = 1 << 20

// message is one message from the client.
type message struct {
	typ  websocket.MessageType
	data []byte // nil when size > maxMessage
	size int64
}

// readMessage reads the next message, keeping at most maxMessage bytes.
func readMessage(ctx context.Context, c *websocket.Conn) (message, error) {
	typ, rd, err := c.Reader(ctx)
	if err != nil {
		return message{}, err
	}
	buf := make([]byte, maxMessage+1)
	n, err := io.ReadFull(rd, buf)
	switch err {
	case nil: // more than maxMessage
		rest, err := io.Copy(io.Discard, rd)
		return message{typ: typ, size: int64(n) + rest}, err
	case io.EOF, io.ErrUnexpectedEOF:
		return message{typ: typ, data: buf[:n:n], size: int64(n)}, nil
	}
	return message{}, err
}

// check says how v closes for a message that cannot be a request or a
// control message at all: text, or too large.
func (m message) check(v version) *closeError {
	if m.typ != websocket.MessageBinary {
		return v.notBinary()
	}
	if m.data == nil {
		return v.tooBig(m.size)
	}
	return nil
}
