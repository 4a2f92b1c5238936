package textot

import (
	"fmt"
	"math"
	"unicode/utf8"
)

// MaxSpan is the longest an op may be, counted both as the code points it
// reads (skips and deletes) and as those it writes (skips and inserts). It
// is a quarter of the int range so that adding up the counts of two ops,
// as Transform and Compose do, can never overflow. On 64-bit platforms it is
// far beyond any real document.
const MaxSpan = math.MaxInt / 4

// Validate reports the first invalid component of op: the zero Component, a
// skip or delete whose count is not positive, or an insert that is empty or
// not valid UTF-8. It also rejects an op longer than MaxSpan.
//
// Validate accepts ops that are valid but not normalized (adjacent
// components of the same kind, a trailing skip): they have one obvious
// meaning, and the functions of this package normalize them first. Unlike
// ot-text-unicode, which throws on a trailing skip, this package trims it.
func Validate(op Op) error {
	in, out := 0, 0 // code points read from the old document and written to the new one
	for i, c := range op {
		var reads, writes bool
		switch c.kind {
		case KindSkip:
			if c.n <= 0 {
				return fmt.Errorf("component %d: skip of %d: %w", i, c.n, ErrZeroSkip)
			}
			reads, writes = true, true
		case KindDelete:
			if c.n <= 0 {
				return fmt.Errorf("component %d: delete of %d: %w", i, c.n, ErrZeroDelete)
			}
			reads = true
		case KindInsert:
			if c.text == "" {
				return fmt.Errorf("component %d: %w", i, ErrEmptyInsert)
			}
			if !utf8.ValidString(c.text) {
				return fmt.Errorf("component %d: insert: %w", i, ErrInvalidUTF8)
			}
			writes = true
		default:
			return fmt.Errorf("component %d: %w", i, ErrInvalidComponent)
		}
		// Compare before adding: a count near MaxInt would wrap the sum.
		if (reads && c.n > MaxSpan-in) || (writes && c.n > MaxSpan-out) {
			return fmt.Errorf("component %d: %w (more than %d code points)", i, ErrTooLong, MaxSpan)
		}
		if reads {
			in += c.n
		}
		if writes {
			out += c.n
		}
	}
	return nil
}

// Normalize returns op in normal form: components that do nothing dropped,
// adjacent components of the same kind merged and a trailing skip removed.
// It always returns a new, non-nil slice and never modifies op.
//
// Normalize does not validate: components that Validate rejects for a
// count that is not positive, an empty insert, or an unknown kind are
// dropped as well, so call Validate first on untrusted input. Like
// ot-text-unicode's normalize, it does not reorder an insert and a delete
// at the same position.
func Normalize(op Op) Op {
	var b builder
	b.out = make(Op, 0, len(op))
	for _, c := range op {
		b.push(c)
	}
	return b.finish()
}

// normalized returns op itself when it is already in normal form, which
// transformed and composed ops are, and Normalize(op) otherwise: the common
// case then allocates nothing.
func normalized(op Op) Op {
	for i, c := range op {
		if c.n <= 0 || (i > 0 && op[i-1].kind == c.kind) {
			return Normalize(op)
		}
	}
	if len(op) > 0 && op[len(op)-1].kind == KindSkip {
		return op[:len(op)-1]
	}
	return op
}
