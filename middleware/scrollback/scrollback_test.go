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
	// One huge message of many lines keeps its last lines, as many small
	// ones would.
	var many, big buffer
	var all strings.Builder
	for i := range 3 * MaxLines {
		line := strings.Repeat("z", i%50) + "\n"
		many.add(line)
		all.WriteString(line)
	}
	big.add(all.String())
	if big.String() != many.String() || len(big.lines) != MaxLines {
		t.Fatalf("one message kept %d lines, many kept %d", len(big.lines), len(many.lines))
	}
	b = buffer{}
	for range 100 {
		b.add(strings.Repeat("y", 20000) + "\n")
	}
	if b.bytes > MaxBytes || b.bytes != len(b.String()) {
		t.Fatalf("bytes %d", b.bytes)
	}
}
