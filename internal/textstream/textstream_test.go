package textstream

import (
	"strings"
	"testing"
)

func TestChunksNeverSplitACharacter(t *testing.T) {
	text := "héllo, 世界 😭 done"
	b := []byte(text)
	for size := 1; size <= 7; size++ {
		var c Chunker
		var out strings.Builder
		for i := 0; i < len(b); i += size {
			chunk := c.Next(b[i:min(i+size, len(b))], false)
			if !strings.HasPrefix(text[out.Len():], chunk) {
				t.Fatalf("size %d: chunk %q does not continue %q", size, chunk, out.String())
			}
			out.WriteString(chunk)
		}
		out.WriteString(c.Next(nil, true))
		if out.String() != text {
			t.Fatalf("size %d: %q", size, out.String())
		}
	}
}

func TestInvalidBytes(t *testing.T) {
	var c Chunker
	if got := c.Next([]byte("a\xffb"), false); got != "a\uFFFDb" {
		t.Fatalf("%q", got)
	}
	if got := c.Next([]byte("\xe4\xb8"), false); got != "" { // the start of 世
		t.Fatalf("%q", got)
	}
	if got := c.Next(nil, true); got != "\uFFFD" { // the stream ended mid-character
		t.Fatalf("%q", got)
	}
}
