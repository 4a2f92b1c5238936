package textot

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestApply(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		op   Op
		want string
	}{
		{"empty op", "abc", Op{}, "abc"},
		{"insert at start", "abc", Op{Insert("x")}, "xabc"},
		{"insert in middle", "abc", Op{Skip(1), Insert("xy")}, "axybc"},
		{"insert at end", "abc", Op{Skip(3), Insert("x")}, "abcx"},
		{"insert into empty", "", Op{Insert("héllo")}, "héllo"},
		{"delete", "abcdef", Op{Skip(1), Delete(2)}, "adef"},
		{"delete all", "abc", Op{Delete(3)}, ""},
		{"replace", "abc", Op{Skip(1), Delete(1), Insert("B")}, "aBc"},
		{"insert before delete", "abc", Op{Skip(1), Insert("B"), Delete(1)}, "aBc"},
		{"trailing skip", "abc", Op{Insert("x"), Skip(3)}, "xabc"},
		{"several edits", "hello world", Op{Insert(">"), Skip(5), Delete(1), Insert("_"), Skip(5), Insert("!")}, ">hello_world!"},
		{"two-byte", "éa", Op{Skip(1), Insert("ß")}, "éßa"},
		{"three-byte", "中文字", Op{Skip(1), Delete(1), Insert("国")}, "中国字"},
		{"astral skip", "😭x", Op{Skip(1), Insert("y")}, "😭yx"},
		{"astral delete", "a😭𝔸b", Op{Skip(1), Delete(2)}, "ab"},
		{"astral insert", "ab", Op{Skip(1), Insert("𝔸😭")}, "a𝔸😭b"},
		{"mixed", "é中😭𝔸", Op{Skip(1), Delete(1), Skip(1), Insert("z"), Delete(1)}, "é😭z"},
		{"combining mark is its own code point", "e\u0301x", Op{Skip(1), Delete(1)}, "ex"},
		{"long ASCII run", strings.Repeat("a", 20) + "é" + strings.Repeat("b", 20), Op{Skip(21), Insert("|")}, strings.Repeat("a", 20) + "é|" + strings.Repeat("b", 20)},
	}
	for _, tt := range tests {
		got, err := Apply(tt.doc, tt.op)
		if err != nil || got != tt.want {
			t.Errorf("%s: Apply(%q, %v) = %q, %v; want %q", tt.name, tt.doc, tt.op, got, err, tt.want)
		}
		d := mustDoc(t, tt.doc)
		if err := d.Apply(tt.op); err != nil {
			t.Errorf("%s: Doc.Apply: %v", tt.name, err)
		} else if d.String() != tt.want || d.Len() != runeLen(tt.want) {
			t.Errorf("%s: Doc.Apply gave %q, want %q", tt.name, d.String(), tt.want)
		}
	}
}

func TestApplyErrors(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		op   Op
		want error
		msg  string
	}{
		{"skip past end", "abc", Op{Skip(5)}, ErrPastEnd, "skip of 5 goes past the end of the document (3 code points left)"},
		{"skip past end after insert", "abc", Op{Insert("xx"), Skip(4)}, ErrPastEnd, "skip of 4 goes past the end of the document (3 code points left)"},
		{"delete past end", "abc", Op{Skip(2), Delete(2)}, ErrPastEnd, "delete of 2 goes past the end of the document (1 code point left)"},
		{"astral counted as one", "😭😭", Op{Skip(3)}, ErrPastEnd, "skip of 3 goes past the end of the document (2 code points left)"},
		{"empty doc", "", Op{Delete(1)}, ErrPastEnd, ""},
		{"invalid op", "abc", Op{Skip(0)}, ErrZeroSkip, ""},
		{"empty insert", "abc", Op{Insert("")}, ErrEmptyInsert, ""},
		{"zero component", "abc", Op{{}}, ErrInvalidComponent, ""},
		{"invalid UTF-8 insert", "abc", Op{Insert("\xe6")}, ErrInvalidUTF8, "component 0: insert: not valid UTF-8"},
	}
	for _, tt := range tests {
		got, err := Apply(tt.doc, tt.op)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: Apply(%q, %v) = %q, %v; want %v", tt.name, tt.doc, tt.op, got, err, tt.want)
		}
		if tt.msg != "" && (err == nil || err.Error() != tt.msg) {
			t.Errorf("%s: message %q, want %q", tt.name, err, tt.msg)
		}
		d := mustDoc(t, tt.doc)
		if err := d.Apply(tt.op); !errors.Is(err, tt.want) {
			t.Errorf("%s: Doc.Apply = %v; want %v", tt.name, err, tt.want)
		} else if tt.msg != "" && err.Error() != tt.msg {
			t.Errorf("%s: Doc.Apply message %q, want %q", tt.name, err, tt.msg)
		}
		if d.String() != tt.doc {
			t.Errorf("%s: failed Doc.Apply changed the document to %q", tt.name, d.String())
		}
	}
}

// TestInvalidUTF8Document: a document must be text. Counting code points in
// invalid UTF-8 is ambiguous, since deleting bytes can join fragments into
// a character ("\xe6" + "\xa3\xa3" is "棣").
func TestInvalidUTF8Document(t *testing.T) {
	for _, doc := range []string{"a\xff", "\xe600\xa3\xa3", "\xed\xa0\x80"} {
		if got, err := Apply(doc, Op{}); !errors.Is(err, ErrInvalidUTF8) {
			t.Errorf("Apply(%q) = %q, %v; want ErrInvalidUTF8", doc, got, err)
		}
		if _, err := NewDoc(doc); !errors.Is(err, ErrInvalidUTF8) {
			t.Errorf("NewDoc(%q): %v; want ErrInvalidUTF8", doc, err)
		}
	}
}

// TestAdvance checks the word-at-a-time code point counting against
// decoding one code point at a time, at every start and count.
func TestAdvance(t *testing.T) {
	s := "the quick 🦊 jumps über 中文 and 𝔸 — " + strings.Repeat("x", 17) + "é😭"
	runes := []rune(s)
	starts := []int{}
	for i := range s {
		starts = append(starts, i)
	}
	starts = append(starts, len(s))
	for si, i := range starts {
		for n := 0; n <= len(runes)+3; n++ {
			end, short := advance(s, i, n)
			wantShort := max(0, si+n-len(runes))
			want := starts[min(si+n, len(runes))]
			if end != want || short != wantShort {
				t.Fatalf("advance(s, %d, %d) = %d, %d; want %d, %d", i, n, end, short, want, wantShort)
			}
		}
	}
}

func ExampleApply() {
	doc, err := Apply("I 😭 Go", Op{Skip(2), Delete(1), Insert("💙")})
	fmt.Println(doc, err)
	_, err = Apply("abc", Op{Skip(5)})
	fmt.Println(err)
	// Output:
	// I 💙 Go <nil>
	// skip of 5 goes past the end of the document (3 code points left)
}
