package textot

import (
	"fmt"
	"hash/crc32"
	"unicode/utf8"
	"unsafe"
)

// Doc is a document held as a gap buffer of UTF-8, for applying many ops to
// a large document. Applying an op moves the gap to each edit, walking the
// UTF-8 between the old and the new position to count code points, so its
// cost is the op's size plus the distance from the previous edit, and edits
// near each other are cheap whatever the document's length.
//
// A Doc takes one byte per byte of UTF-8 plus the gap: an eighth of the text
// (at least 64 bytes) when created, and a quarter of the text plus the
// insert when an insert outgrows it. Deleting text widens the gap; the
// buffer never shrinks.
//
// The zero Doc is an empty document. A Doc is not safe for concurrent use.
type Doc struct {
	buf []byte
	// buf[gapStart:gapEnd] is free space; the text is buf[:gapStart]
	// followed by buf[gapEnd:], each valid UTF-8 (inserts are validated),
	// so the gap always falls between code points.
	gapStart, gapEnd int
	// gapAt is the gap's position in code points (those in
	// buf[:gapStart]), and n the document's length in code points.
	gapAt, n int
}

// NewDoc returns a Doc holding s, which must be valid UTF-8 (an error
// wrapping [ErrInvalidUTF8] otherwise), as for [Apply].
func NewDoc(s string) (*Doc, error) {
	if !utf8.ValidString(s) {
		return nil, fmt.Errorf("document: %w", ErrInvalidUTF8)
	}
	gap := max(len(s)/8, 64)
	d := &Doc{buf: make([]byte, len(s)+gap), gapEnd: gap, n: utf8.RuneCountInString(s)}
	copy(d.buf[gap:], s)
	return d, nil
}

// Len returns the length of the document in code points.
func (d *Doc) Len() int { return d.n }

// Bytes returns the length of the document in bytes of UTF-8.
func (d *Doc) Bytes() int { return len(d.buf) - (d.gapEnd - d.gapStart) }

// AppendTo appends the document's text to b and returns the extended
// slice, so that it can be written out without building a string.
func (d *Doc) AppendTo(b []byte) []byte {
	b = append(b, d.buf[:d.gapStart]...)
	return append(b, d.buf[d.gapEnd:]...)
}

// String returns the document's text. It costs O(Bytes()).
func (d *Doc) String() string {
	if d.Bytes() == 0 {
		return ""
	}
	b := d.AppendTo(make([]byte, 0, d.Bytes()))
	// b is never written again, so the string can share its memory, as
	// strings.Builder does; this saves a second copy of the text.
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// CRC32 returns the CRC-32 (IEEE) checksum of the document's UTF-8, equal
// to crc32.ChecksumIEEE([]byte(d.String())) without copying the text.
func (d *Doc) CRC32() uint32 {
	crc := crc32.Update(0, crc32.IEEETable, d.buf[:d.gapStart])
	return crc32.Update(crc, crc32.IEEETable, d.buf[d.gapEnd:])
}

// Apply applies op to the document. It fails, leaving the document
// unchanged, if op is invalid or goes past the end of the document (an
// error wrapping [ErrPastEnd], as from [Apply]).
func (d *Doc) Apply(op Op) error {
	if err := Validate(op); err != nil {
		return err
	}
	// Check the whole op first so that a failure changes nothing.
	at := 0
	for _, c := range op {
		if c.kind == KindSkip || c.kind == KindDelete {
			if c.n > d.n-at {
				return pastEnd(c, d.n-at)
			}
			at += c.n
		}
	}
	pos := 0 // cursor in the document being edited, in code points
	for _, c := range op {
		switch c.kind {
		case KindSkip:
			// Skipping moves nothing: the gap follows only where the
			// text changes.
			pos += c.n
		case KindInsert:
			d.moveGap(pos, len(c.text))
			d.gapStart += copy(d.buf[d.gapStart:], c.text)
			d.gapAt += c.n
			d.n += c.n
			pos += c.n
		case KindDelete:
			d.moveGap(pos, 0)
			d.gapEnd = d.offset(pos + c.n)
			d.n -= c.n
		}
	}
	return nil
}

// offset returns the index in buf where the code point at pos starts, or
// where the text ends: before the gap if pos <= gapAt (gapStart for pos ==
// gapAt), after it otherwise. It walks from the gap or from the nearer end
// of the text, whichever is closer; in ASCII text it computes it directly.
func (d *Doc) offset(pos int) int {
	if d.n == d.Bytes() {
		// Every code point is one byte (ASCII): no walk needed.
		if pos <= d.gapAt {
			return pos
		}
		return d.gapEnd + pos - d.gapAt
	}
	if pos <= d.gapAt {
		if d.gapAt-pos <= pos {
			return walkBack(d.buf[:d.gapStart], d.gapStart, d.gapAt-pos)
		}
		return walkForward(d.buf[:d.gapStart], 0, pos)
	}
	if pos-d.gapAt <= d.n-pos {
		return walkForward(d.buf, d.gapEnd, pos-d.gapAt)
	}
	return walkBack(d.buf, len(d.buf), d.n-pos)
}

// moveGap puts the gap at pos (in code points) with room for at least need
// bytes.
func (d *Doc) moveGap(pos, need int) {
	if d.gapEnd-d.gapStart < need {
		d.regrow(pos, need)
		return
	}
	switch {
	case pos < d.gapAt:
		i := d.offset(pos)
		d.gapEnd -= copy(d.buf[d.gapEnd-(d.gapStart-i):], d.buf[i:d.gapStart])
		d.gapStart = i
	case pos > d.gapAt:
		i := d.offset(pos)
		d.gapStart += copy(d.buf[d.gapStart:], d.buf[d.gapEnd:i])
		d.gapEnd = i
	}
	d.gapAt = pos
}

// regrow reallocates the buffer with the gap at pos, big enough for need
// more bytes plus slack proportional to the document, so that a run of
// inserts costs amortized O(1) per byte.
func (d *Doc) regrow(pos, need int) {
	i := d.offset(pos)
	length := d.Bytes()
	gap := need + max(length/4, 64)
	buf := make([]byte, length+gap)
	// i is before the gap or after it; the text is split around the old
	// gap and is put back split around the new one at start.
	var start int
	if pos <= d.gapAt {
		start = copy(buf, d.buf[:i])
		n := copy(buf[start+gap:], d.buf[i:d.gapStart])
		copy(buf[start+gap+n:], d.buf[d.gapEnd:])
	} else {
		start = copy(buf, d.buf[:d.gapStart])
		start += copy(buf[start:], d.buf[d.gapEnd:i])
		copy(buf[start+gap:], d.buf[i:])
	}
	d.buf = buf
	d.gapStart, d.gapEnd, d.gapAt = start, start+gap, pos
}
