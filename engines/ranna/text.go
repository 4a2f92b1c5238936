package ranna

import "unicode/utf8"

// text turns one stream's output chunks into JSON strings without
// splitting a character across two of them: a chunk's incomplete last
// character waits for the next chunk (bytes that are not UTF-8 at all
// still become U+FFFD, as JSON strings require).
type text struct{ rest []byte }

// next is the text of p after what was held back, holding back an
// incomplete character at its end.
func (t *text) next(p []byte) string {
	b := p
	if len(t.rest) > 0 {
		b = append(t.rest, p...)
	}
	cut := completeUpTo(b)
	t.rest = append(t.rest[:0:0], b[cut:]...)
	return string(b[:cut])
}

// flush is what is held back, at the end of the stream.
func (t *text) flush() string {
	s := string(t.rest)
	t.rest = nil
	return s
}

// completeUpTo is where b's last whole character ends: before a
// character whose first bytes are there and whose last are not.
func completeUpTo(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax+1; i-- {
		if b[i] < utf8.RuneSelf {
			break
		}
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return i
			}
			break
		}
	}
	return len(b)
}
