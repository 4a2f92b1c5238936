package textot

import (
	"encoding/binary"
	"math/bits"
)

// Walking valid UTF-8 by code points. A code point starts at every byte that
// is not a continuation byte (10xxxxxx), so code points can be counted
// without decoding them, eight bytes at a time.

// runStart is the fewest code points for which walkForward and walkBack
// count a whole window of bytes at once rather than byte by byte.
const runStart = 16

// walkForward returns the index in b of the code point k code points after
// the one starting at i, or len(b) if that is the end. b must be valid UTF-8
// from i on, holding at least k code points there.
func walkForward(b []byte, i, k int) int {
	// The next k bytes hold at most k code point starts, so counting them
	// all cannot pass the one sought. Where code points are one byte each
	// this takes one step; longer ones leave a smaller k for the next.
	for k >= runStart {
		n := k
		k -= countStarts(b[i : i+n])
		i += n
	}
	// i may be inside a code point now: pass k more starts, then stop at
	// the next one.
	for ; i < len(b); i++ {
		if b[i]&0xc0 != 0x80 {
			if k == 0 {
				return i
			}
			k--
		}
	}
	return i
}

// walkBack returns the index in b of the code point k code points before i,
// which is a code point start or len(b). b[:i] must be valid UTF-8 from
// wherever the walk ends, holding at least k code points before i.
func walkBack(b []byte, i, k int) int {
	// As in walkForward, the k bytes before i hold at most k starts. If
	// they were all starts, k is now 0 and i is a start; otherwise i may
	// be inside a code point whose start the loop below finds.
	for k >= runStart {
		n := k
		k -= countStarts(b[i-n : i])
		i -= n
	}
	for k > 0 {
		i--
		if b[i]&0xc0 != 0x80 {
			k--
		}
	}
	return i
}

// countStarts returns the number of bytes of p that start a code point:
// its length in code points if p is valid UTF-8 cut at code point
// boundaries.
func countStarts(p []byte) int {
	n := len(p)
	for len(p) >= 32 {
		n -= bits.OnesCount64(continuations(binary.LittleEndian.Uint64(p))) +
			bits.OnesCount64(continuations(binary.LittleEndian.Uint64(p[8:]))) +
			bits.OnesCount64(continuations(binary.LittleEndian.Uint64(p[16:]))) +
			bits.OnesCount64(continuations(binary.LittleEndian.Uint64(p[24:])))
		p = p[32:]
	}
	for len(p) >= 8 {
		n -= bits.OnesCount64(continuations(binary.LittleEndian.Uint64(p)))
		p = p[8:]
	}
	for _, c := range p {
		if c&0xc0 == 0x80 {
			n--
		}
	}
	return n
}

// continuations returns w with bit 7 of each byte set where that byte is a
// continuation byte (bit 7 set, bit 6 clear), and every other bit clear.
func continuations(w uint64) uint64 { return w &^ (w << 1) & 0x8080808080808080 }
