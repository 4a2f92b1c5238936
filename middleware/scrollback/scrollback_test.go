package scrollback

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLinesAndBounds(t *testing.T) {
	var b buffer
	b.add("one\ntw")
	b.add("o\nthree")
	if got := b.String(); got != "one\ntwo\nthree" || len(b.lines) != 3 {
		t.Fatalf("%q %q", got, b.lines)
	}
	for i := range 2 * MaxLines {
		b.add(strings.Repeat("x", i%7) + "\n")
	}
	if len(b.lines) != MaxLines {
		t.Fatalf("%d lines", len(b.lines))
	}
	b = buffer{}
	line := strings.Repeat("é", MaxBytes) // 2 MiB, one line
	b.add(line)
	if b.bytes > MaxBytes || !utf8.ValidString(b.String()) || !strings.HasSuffix(line, b.String()) {
		t.Fatalf("kept %d bytes, valid %v", b.bytes, utf8.ValidString(b.String()))
	}
	b = buffer{}
	for range 100 {
		b.add(strings.Repeat("y", 20000) + "\n")
	}
	if b.bytes > MaxBytes || b.bytes != len(b.String()) {
		t.Fatalf("bytes %d", b.bytes)
	}
}
