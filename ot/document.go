package ot

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Doc is a document held as a gap buffer of code points, for applying many
// ops to a large document. Applying an op moves the gap to each edit, so
// its cost is the op's size plus the distance from the previous edit, and
// edits near each other are cheap whatever the document's length. A Doc
// takes four bytes per code point.
//
// The zero Doc is an empty document. A Doc is not safe for concurrent use.
type Doc struct {
	buf []rune
	// buf[gapStart:gapEnd] is free space; the text is buf[:gapStart]
	// followed by buf[gapEnd:].
	gapStart, gapEnd int
}

// NewDoc returns a Doc holding s, which must be valid UTF-8 (an error
// wrapping [ErrInvalidUTF8] otherwise), as for [Apply].
func NewDoc(s string) (*Doc, error) {
	if !utf8.ValidString(s) {
		return nil, fmt.Errorf("ot: document: %w", ErrInvalidUTF8)
	}
	n := utf8.RuneCountInString(s)
	gap := max(n/8, 64)
	d := &Doc{buf: make([]rune, n+gap), gapStart: 0, gapEnd: gap}
	i := gap
	for _, r := range s {
		d.buf[i] = r
		i++
	}
	return d, nil
}

// Len returns the length of the document in code points.
func (d *Doc) Len() int { return len(d.buf) - (d.gapEnd - d.gapStart) }

// String returns the document's text. It costs O(Len()).
func (d *Doc) String() string {
	var sb strings.Builder
	sb.Grow(d.Len())
	for _, r := range d.buf[:d.gapStart] {
		sb.WriteRune(r)
	}
	for _, r := range d.buf[d.gapEnd:] {
		sb.WriteRune(r)
	}
	return sb.String()
}

// Apply applies op to the document. It fails, leaving the document
// unchanged, if op is invalid or goes past the end of the document (an
// error wrapping [ErrPastEnd], as from [Apply]).
func (d *Doc) Apply(op Op) error {
	if err := Validate(op); err != nil {
		return err
	}
	// Check the whole op first so that a failure changes nothing.
	length := d.Len()
	at := 0
	for _, c := range op {
		if c.kind == KindSkip || c.kind == KindDelete {
			if c.n > length-at {
				return pastEnd(c, length-at)
			}
			at += c.n
		}
	}
	pos := 0 // cursor in the document being edited
	for _, c := range op {
		switch c.kind {
		case KindSkip:
			// Skipping moves nothing: the gap follows only where the
			// text changes.
			pos += c.n
		case KindInsert:
			d.moveGap(pos, c.n)
			for _, r := range c.text {
				d.buf[d.gapStart] = r
				d.gapStart++
			}
			pos += c.n
		case KindDelete:
			d.moveGap(pos, 0)
			d.gapEnd += c.n
		}
	}
	return nil
}

// moveGap puts the gap at pos with room for at least need code points.
func (d *Doc) moveGap(pos, need int) {
	if d.gapEnd-d.gapStart < need {
		d.regrow(pos, need)
		return
	}
	switch {
	case pos < d.gapStart:
		n := copy(d.buf[d.gapEnd-(d.gapStart-pos):], d.buf[pos:d.gapStart])
		d.gapStart -= n
		d.gapEnd -= n
	case pos > d.gapStart:
		n := copy(d.buf[d.gapStart:], d.buf[d.gapEnd:d.gapEnd+(pos-d.gapStart)])
		d.gapStart += n
		d.gapEnd += n
	}
}

// regrow reallocates the buffer with the gap at pos, big enough for need
// more code points plus slack proportional to the document, so that a run
// of inserts costs amortized O(1) per code point.
func (d *Doc) regrow(pos, need int) {
	length := d.Len()
	gap := need + max(length/4, 64)
	buf := make([]rune, length+gap)
	// pos is a position in the text, which is split around the old gap.
	if pos <= d.gapStart {
		copy(buf, d.buf[:pos])
		n := copy(buf[pos+gap:], d.buf[pos:d.gapStart])
		copy(buf[pos+gap+n:], d.buf[d.gapEnd:])
	} else {
		copy(buf, d.buf[:d.gapStart])
		split := d.gapEnd + (pos - d.gapStart)
		copy(buf[d.gapStart:], d.buf[d.gapEnd:split])
		copy(buf[pos+gap:], d.buf[split:])
	}
	d.buf = buf
	d.gapStart = pos
	d.gapEnd = pos + gap
}
