// Package textstream turns a byte stream (a command's output, a pty) into
// protocol strings: valid UTF-8, with no character split between two
// chunks.
package textstream

import (
	"strings"
	"unicode/utf8"
)

// Chunker carries an incomplete UTF-8 sequence from one chunk to the
// next. The zero value is ready to use.
type Chunker struct {
	carry []byte
}

// Next returns the text of b (after what was carried from the previous
// call), holding back a trailing incomplete character unless final.
// Bytes that are not UTF-8 become U+FFFD.
func (c *Chunker) Next(b []byte, final bool) string {
	data := b
	if len(c.carry) > 0 {
		data = append(c.carry, b...)
	}
	cut := len(data)
	if !final {
		for i := len(data) - 1; i >= 0 && i >= len(data)-utf8.UTFMax+1; i-- {
			if utf8.RuneStart(data[i]) {
				if !utf8.FullRune(data[i:]) {
					cut = i
				}
				break
			}
		}
	}
	var text string
	if utf8.Valid(data[:cut]) {
		text = string(data[:cut]) // the usual case: one copy
	} else {
		text = strings.ToValidUTF8(string(data[:cut]), "\uFFFD")
	}
	c.carry = append(c.carry[:0], data[cut:]...)
	return text
}
