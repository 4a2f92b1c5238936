package textot

import (
	"fmt"
	"math/bits"
	"strings"
	"unicode/utf8"
)

// Apply returns doc with op applied. Text after op's last component is
// kept.
//
// Skipping or deleting past the end of doc is an error wrapping
// [ErrPastEnd]. (ot-text-unicode reports the skip but silently deletes only
// what is there; a delete that overshoots means the op was made against
// another document, so it is refused here.) doc must be valid UTF-8, or
// Apply fails with an error wrapping [ErrInvalidUTF8].
//
// Apply costs O(len(doc) + inserted bytes), since it checks and copies the
// whole document: use [Doc] to apply many ops to a large document.
func Apply(doc string, op Op) (string, error) {
	if err := Validate(op); err != nil {
		return "", err
	}
	if !utf8.ValidString(doc) {
		return "", fmt.Errorf("document: %w", ErrInvalidUTF8)
	}
	grow := len(doc)
	for _, c := range op {
		grow += len(c.text)
	}
	var sb strings.Builder
	sb.Grow(grow)
	i := 0 // byte offset in doc
	for _, c := range op {
		switch c.kind {
		case KindSkip, KindDelete:
			end, short := advance(doc, i, c.n)
			if short > 0 {
				return "", pastEnd(c, c.n-short)
			}
			if c.kind == KindSkip {
				sb.WriteString(doc[i:end])
			}
			i = end
		case KindInsert:
			sb.WriteString(c.text)
		}
	}
	sb.WriteString(doc[i:])
	return sb.String(), nil
}

// advance returns the byte offset n code points after byte offset i in s,
// and how many code points short of n it fell at the end of s. s must be
// valid UTF-8 and i the start of a code point, so code points can be
// counted as the bytes that are not continuation bytes (10xxxxxx).
func advance(s string, i, n int) (end, short int) {
	// Eight bytes at a time while that cannot overshoot: eight bytes hold
	// at most eight code point starts.
	for n >= 8 && i+8 <= len(s) {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		continuation := w &^ (w << 1) & 0x8080808080808080 // bit 7 set, bit 6 clear
		n -= 8 - bits.OnesCount64(continuation)
		i += 8
	}
	// i may now be inside a code point: pass n more starts, then stop at
	// the next one.
	for ; i < len(s); i++ {
		if s[i]&0xc0 != 0x80 {
			if n == 0 {
				return i, 0
			}
			n--
		}
	}
	return i, n
}

func pastEnd(c Component, left int) error {
	unit := "code points"
	if left == 1 {
		unit = "code point"
	}
	return fmt.Errorf("%v of %d goes %w (%d %s left)", c.kind, c.n, ErrPastEnd, left, unit)
}
