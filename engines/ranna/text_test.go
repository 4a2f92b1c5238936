package ranna

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// However output is cut into chunks, the text is the same and no chunk
// splits a character.
func TestTextKeepsCharactersWhole(t *testing.T) {
	in := []byte("a👋é\xffz€" + string([]byte{0xe2, 0x82}))
	for size := 1; size <= len(in); size++ {
		var tx text
		var out strings.Builder
		for i := 0; i < len(in); i += size {
			s := tx.next(in[i:min(i+size, len(in))])
			if strings.ContainsRune(s, utf8.RuneError) && !strings.Contains(string(in), s) {
				t.Errorf("size %d: chunk %q splits a character", size, s)
			}
			out.WriteString(s)
		}
		out.WriteString(tx.flush())
		if out.String() != string(in) {
			t.Errorf("size %d: %q, want %q", size, out.String(), in)
		}
	}
}
