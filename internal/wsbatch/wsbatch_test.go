package wsbatch

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"net"
	"testing"
)

// recorder is the connection under a Conn: it keeps every write.
type recorder struct {
	net.Conn
	writes [][]byte
	fail   error
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.fail != nil {
		return 0, r.fail
	}
	r.writes = append(r.writes, bytes.Clone(p))
	return len(p), nil
}

// frame encodes a frame header for a payload of n bytes (masked as a
// client's, with a fixed key) followed by the payload.
func frame(n int, masked bool) []byte {
	h := []byte{0x82, 0}
	switch {
	case n < 126:
		h[1] = byte(n)
	case n <= 0xffff:
		h[1] = 126
		h = binary.BigEndian.AppendUint16(h, uint16(n))
	default:
		h[1] = 127
		h = binary.BigEndian.AppendUint64(h, uint64(n))
	}
	if masked {
		h[1] |= 0x80
		h = append(h, 1, 2, 3, 4)
	}
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(i*7 + n)
	}
	return append(h, p...)
}

// sizes cross every header form and both sides of the batch size.
var sizes = []int{0, 1, 125, 126, 127, 4096, 65535, 65536, 300_000, batch - 10, batch + 10, 3 * batch}

// frames joins frames of the given payload sizes (every third one
// unmasked) and says at which offsets they end.
func frames(sizes []int) ([]byte, map[int]bool) {
	var stream []byte
	ends := map[int]bool{}
	for i, n := range sizes {
		stream = append(stream, frame(n, i%3 != 0)...)
		ends[len(stream)] = true
	}
	return stream, ends
}

// cuts are the offsets at which to cut a stream of n bytes, each step
// after the one before.
func cuts(n int, step func(at int) int) []int {
	var out []int
	for at := step(0); at < n; at += step(at) {
		out = append(out, at)
	}
	return out
}

// feed writes stream to c in pieces cut at the offsets in cuts.
func feed(t *testing.T, c *Conn, stream []byte, cuts []int) {
	t.Helper()
	last := 0
	for _, cut := range append(cuts, len(stream)) {
		if n, err := c.Write(stream[last:cut]); err != nil || n != cut-last {
			t.Fatalf("write of %d bytes: %d, %v", cut-last, n, err)
		}
		last = cut
	}
}

// writeCut writes stream to a Conn in pieces cut at the offsets in cuts and
// checks that the bytes written are the stream, that each write ends
// where a frame ends unless it is a full batch, and that nothing is left
// held.
func writeCut(t *testing.T, stream []byte, ends map[int]bool, cuts []int) {
	t.Helper()
	r := &recorder{}
	c := New(r)
	c.Framing()
	feed(t, c, stream, cuts)
	if got := bytes.Join(r.writes, nil); !bytes.Equal(got, stream) {
		t.Fatalf("wrote %d bytes that differ from the %d given", len(got), len(stream))
	}
	at := 0
	for _, w := range r.writes {
		if at += len(w); !ends[at] && len(w) < batch {
			t.Fatalf("a write of %d bytes ends at %d, inside a frame", len(w), at)
		}
	}
	if len(c.buf) != 0 || c.left != 0 || c.hn != 0 {
		t.Fatalf("%d bytes held, %d to come, %d header bytes at the end", len(c.buf), c.left, c.hn)
	}
}

// TestFramesArriveWholeWhateverTheCuts cuts a stream of frames of every
// header form at random places, as the library's 4 KiB buffer does (and
// inside headers too).
func TestFramesArriveWholeWhateverTheCuts(t *testing.T) {
	stream, ends := frames(sizes)
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 20 {
		writeCut(t, stream, ends, cuts(len(stream), func(at int) int {
			if round%4 == 0 && at < 400_000 {
				return 1 + rng.IntN(16) // many cuts inside the headers
			}
			return 1 + rng.IntN(4096)
		}))
	}
}

// TestWholeFramesPassWithoutCopy checks that writes made of whole frames
// with nothing held reach the connection as they are, one write each.
func TestWholeFramesPassWithoutCopy(t *testing.T) {
	r := &recorder{}
	c := New(r)
	c.Framing()
	small := append(frame(10, true), frame(200, true)...)
	for range 3 {
		feed(t, c, small, nil)
	}
	if len(r.writes) != 3 || cap(c.buf) != 0 {
		t.Fatalf("%d writes, buffer of %d, for 3 writes of whole frames", len(r.writes), cap(c.buf))
	}
}

// TestBeforeFramingWritesPassThrough checks that the HTTP upgrade, which
// is not frames, goes out untouched.
func TestBeforeFramingWritesPassThrough(t *testing.T) {
	r := &recorder{}
	c := New(r)
	req := []byte("GET /wsv2/x HTTP/1.1\r\nHost: a\r\n\r\n")
	feed(t, c, req, []int{3, 10})
	if len(r.writes) != 3 || !bytes.Equal(bytes.Join(r.writes, nil), req) {
		t.Fatalf("upgrade request went out as %q", r.writes)
	}
}

// TestAFailedWriteSticks checks that the write completing a frame reports
// the connection's error, and every later write does too.
func TestAFailedWriteSticks(t *testing.T) {
	boom := errors.New("boom")
	r := &recorder{}
	c := New(r)
	c.Framing()
	f := frame(10000, true)
	feed(t, c, f[:4096], nil)
	r.fail = boom
	if _, err := c.Write(f[4096:]); !errors.Is(err, boom) {
		t.Fatalf("completing write: %v, want boom", err)
	}
	r.fail = nil
	if _, err := c.Write(frame(1, true)); !errors.Is(err, boom) {
		t.Fatalf("later write: %v, want boom", err)
	}
}

// FuzzCuts is TestFramesArriveWholeWhateverTheCuts with frame sizes and
// cut steps from the fuzzer.
func FuzzCuts(f *testing.F) {
	f.Add([]byte{0, 200, 1, 126, 255}, []byte{1, 7, 200})
	f.Fuzz(func(t *testing.T, lens, steps []byte) {
		if len(steps) == 0 {
			return
		}
		sz := make([]int, len(lens))
		for i, l := range lens {
			sz[i] = int(l) * int(l)
		}
		stream, ends := frames(sz)
		i := 0
		writeCut(t, stream, ends, cuts(len(stream), func(int) int {
			i++
			return 1 + int(steps[i%len(steps)])
		}))
	})
}
