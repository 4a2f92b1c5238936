// Package wsbatch gathers the pieces of a client's WebSocket frames into
// few write(2) calls.
//
// A client must mask every frame it sends. coder/websocket masks the
// payload into its 4 KiB bufio.Writer and hands the connection one 4 KiB
// piece at a time, so sending a 1 MiB message costs 256 writes; over
// loopback, where nothing else is slow, that is most of the time a large
// files write takes (the files rows of `make bench`). Conn sits under the library: it follows the frame
// headers in the bytes it is given and holds an unfinished frame's pieces
// until the frame is whole (or batch bytes are held), then writes them at
// once. A frame that arrives whole, as every small one does, is written
// straight through without a copy. The buffer, once a large frame has
// needed it, stays with the connection (at most batch bytes).
package wsbatch

import (
	"encoding/binary"
	"net"
	"sync/atomic"
)

// batch is the most Conn holds before writing, even inside a frame: large
// enough that a big message goes in few writes, which also wakes the
// reader fewer times.
const batch = 1 << 20

// Conn is a client connection whose writes, once Framing is called, are
// WebSocket frames. Before that (the HTTP upgrade) writes pass through.
//
// Writes must not be concurrent (the WebSocket library serialises them);
// reads, Close and deadlines go straight to the connection.
type Conn struct {
	net.Conn
	framing atomic.Bool

	buf  []byte   // held bytes: whole frames, then the start of one
	left uint64   // payload bytes of the current frame not yet seen
	hdr  [14]byte // the current frame's header, while it is incomplete
	hn   int      // bytes in hdr; 0 with left == 0 means at a frame boundary
	err  error    // a failed write; every later write fails with it
}

// New wraps c.
func New(c net.Conn) *Conn { return &Conn{Conn: c} }

// Framing says the upgrade is done: from now on every write carries
// WebSocket frames, and Conn batches them.
func (c *Conn) Framing() { c.framing.Store(true) }

// Write implements net.Conn. A piece that leaves a frame unfinished is
// held (it counts as written); the write that finishes the frame writes
// everything held and reports that write's error.
func (c *Conn) Write(p []byte) (int, error) {
	if !c.framing.Load() {
		return c.Conn.Write(p)
	}
	if c.err != nil {
		return 0, c.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	c.follow(p)
	whole := c.left == 0 && c.hn == 0
	if whole && len(c.buf) == 0 {
		return c.pass(p)
	}
	c.buf = append(c.buf, p...)
	if whole || len(c.buf) >= batch {
		if _, err := c.pass(c.buf); err != nil {
			return 0, err
		}
		c.buf = c.buf[:0]
	}
	return len(p), nil
}

// pass writes p to the connection, remembering a failure.
func (c *Conn) pass(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if err != nil {
		c.err = err
	}
	return n, err
}

// follow advances the frame state over p.
func (c *Conn) follow(p []byte) {
	for len(p) > 0 {
		if c.left > 0 {
			n := min(c.left, uint64(len(p)))
			c.left -= n
			p = p[n:]
			continue
		}
		c.hdr[c.hn] = p[0]
		c.hn++
		p = p[1:]
		if size, ok := headerSize(c.hdr[:c.hn]); ok && c.hn == size {
			c.left = payloadLen(c.hdr[:c.hn])
			c.hn = 0
		}
	}
}

// headerSize is the length of the frame header that h starts (RFC 6455
// §5.2), once h holds its first two bytes.
func headerSize(h []byte) (int, bool) {
	if len(h) < 2 {
		return 0, false
	}
	n := 2
	switch h[1] & 0x7f {
	case 126:
		n += 2
	case 127:
		n += 8
	}
	if h[1]&0x80 != 0 {
		n += 4 // masking key
	}
	return n, true
}

// payloadLen reads the payload length from a whole header.
func payloadLen(h []byte) uint64 {
	switch l := h[1] & 0x7f; l {
	case 126:
		return uint64(binary.BigEndian.Uint16(h[2:4]))
	case 127:
		return binary.BigEndian.Uint64(h[2:10])
	default:
		return uint64(l)
	}
}
