package textot

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

func mustDoc(t testing.TB, s string) *Doc {
	t.Helper()
	d, err := NewDoc(s)
	if err != nil {
		t.Fatalf("NewDoc(%q): %v", s, err)
	}
	return d
}

// TestDocMatchesApply runs long random edit sessions on a Doc and on a
// string and checks they never disagree, across gap moves and regrowth.
func TestDocMatchesApply(t *testing.T) {
	for seed := range uint64(200) {
		rng := newRand(seed)
		alpha := alphabets[alphabetNames[seed%4]]
		doc := randDoc(rng, alpha, 50)
		d := mustDoc(t, doc)
		if seed%10 == 0 {
			d = &Doc{} // the zero Doc is usable as an empty document
			doc = ""
		}
		for step := range 100 {
			op := randOp(rng, alpha, runeLen(doc), step%2 == 0)
			doc = mustApply(t, doc, op)
			if err := d.Apply(op); err != nil {
				t.Fatalf("seed %d step %d: Doc.Apply(%v): %v", seed, step, op, err)
			}
			if d.Len() != runeLen(doc) || d.String() != doc {
				t.Fatalf("seed %d step %d: after %v Doc is %q (len %d), want %q", seed, step, op, d.String(), d.Len(), doc)
			}
		}
	}
}

// docAlphabets cover each UTF-8 length: ASCII, two-, three- and four-byte
// characters (emoji among the last), alone and mixed.
var docAlphabets = [][]rune{
	[]rune("abcdefgh \n"),
	[]rune("éßжΩñü"),
	[]rune("中文€한ぁ"),
	[]rune("😭🎉🦊𝔸𝄞🐹"),
	[]rune("a é中😭\n𝔸ж"),
}

// TestDocRandomEdits applies thousands of random ops, small and large,
// near the previous edit and far from it, to a Doc and to a string, and
// checks after each that the Doc holds the same text, with the same length
// in code points and bytes and the same checksum. Every few steps it tries
// an op that must fail and checks the Doc did not change.
func TestDocRandomEdits(t *testing.T) {
	steps := 0
	for seed := range uint64(40) {
		rng := newRand(1000 + seed)
		alpha := docAlphabets[seed%uint64(len(docAlphabets))]
		var doc string
		switch seed % 4 {
		case 0:
			doc = randText(rng, alpha, rng.IntN(4000))
		case 1:
			doc = randText(rng, alpha, rng.IntN(200))
		}
		d := mustDoc(t, doc)
		if seed%4 == 3 {
			d = &Doc{}
		}
		for step := range 250 {
			steps++
			if step%7 == 3 {
				op := failingOp(rng, runeLen(doc))
				if err := d.Apply(op); err == nil {
					t.Fatalf("seed %d step %d: Doc.Apply(%v) on %d code points succeeded", seed, step, op, runeLen(doc))
				}
				checkDoc(t, d, doc, "seed %d step %d: after failing %v", seed, step, op)
				continue
			}
			// Other alphabets' characters too, so every document mixes
			// lengths after a while.
			ins := alpha
			if step%5 == 0 {
				ins = docAlphabets[rng.IntN(len(docAlphabets))]
			}
			op := randDocOp(rng, ins, runeLen(doc))
			doc = mustApply(t, doc, op)
			if err := d.Apply(op); err != nil {
				t.Fatalf("seed %d step %d: Doc.Apply(%v): %v", seed, step, op, err)
			}
			checkDoc(t, d, doc, "seed %d step %d: after %v", seed, step, op)
		}
	}
	t.Logf("%d ops applied", steps)
}

// randDocOp returns a valid op against a document of length code points:
// mostly a few edits near each other, as typing makes, and sometimes edits
// anywhere, long inserts that outgrow the gap or deletes of most of the
// document.
func randDocOp(rng *rand.Rand, alpha []rune, length int) Op {
	if length < 40 || rng.IntN(2) == 0 {
		return randOp(rng, alpha, length, rng.IntN(2) == 0)
	}
	var op Op
	at := 0
	for range 1 + rng.IntN(3) {
		if at >= length {
			break
		}
		skip := rng.IntN(length - at)
		if skip > 0 {
			op = append(op, Skip(skip))
			at += skip
		}
		switch rng.IntN(4) {
		case 0:
			op = append(op, Insert(randText(rng, alpha, 1+rng.IntN(600))))
		case 1:
			n := 1 + rng.IntN(length-at)
			op = append(op, Delete(n))
			at += n
		default:
			n := 1 + rng.IntN(min(length-at, 30))
			op = append(op, Delete(n), Insert(randText(rng, alpha, 1+rng.IntN(30))))
			at += n
		}
	}
	return op
}

// failingOp returns an op that Doc.Apply must refuse on a document of
// length code points: one that goes past the end, after edits that would
// otherwise apply, or an invalid one.
func failingOp(rng *rand.Rand, length int) Op {
	switch rng.IntN(4) {
	case 0:
		return Op{Insert("x"), Skip(length + 1)}
	case 1:
		if length > 0 {
			return Op{Delete(1), Insert("😭"), Skip(length - 1), Delete(1)}
		}
		return Op{Insert("é"), Delete(1)}
	case 2:
		return Op{Skip(rng.IntN(length + 1)), Insert("ok"), Insert("\xff")}
	}
	return Op{Insert("a"), Delete(0)}
}

// checkDoc fails the test unless d holds doc, by every accessor, and its
// gap bookkeeping is consistent.
func checkDoc(t *testing.T, d *Doc, doc string, format string, args ...any) {
	t.Helper()
	where := fmt.Sprintf(format, args...)
	if got := d.String(); got != doc {
		t.Fatalf("%s: Doc is %q, want %q", where, got, doc)
	}
	if d.Len() != runeLen(doc) || d.Bytes() != len(doc) {
		t.Fatalf("%s: Len %d Bytes %d, want %d and %d", where, d.Len(), d.Bytes(), runeLen(doc), len(doc))
	}
	if got, want := d.CRC32(), crc32.ChecksumIEEE([]byte(doc)); got != want {
		t.Fatalf("%s: CRC32 %08x, want %08x", where, got, want)
	}
	if got := d.AppendTo([]byte(">")); string(got) != ">"+doc {
		t.Fatalf("%s: AppendTo gave %q", where, got)
	}
	before := d.buf[:d.gapStart]
	if !utf8.Valid(before) || utf8.RuneCount(before) != d.gapAt {
		t.Fatalf("%s: %d code points before the gap, gapAt %d", where, utf8.RuneCount(before), d.gapAt)
	}
}

func TestDocAccessors(t *testing.T) {
	var zero Doc
	if zero.String() != "" || zero.Len() != 0 || zero.Bytes() != 0 || zero.CRC32() != 0 || zero.AppendTo(nil) != nil {
		t.Errorf("zero Doc: %q %d %d %08x", zero.String(), zero.Len(), zero.Bytes(), zero.CRC32())
	}
	d := mustDoc(t, "héllo 😭")
	if err := d.Apply(Op{Skip(2), Delete(3), Insert("y")}); err != nil {
		t.Fatal(err)
	}
	checkDoc(t, d, "héy 😭", "after an edit")
	if _, err := NewDoc("a\xffb"); !errors.Is(err, ErrInvalidUTF8) {
		t.Errorf("NewDoc of invalid UTF-8: %v", err)
	}
	// The string from String does not change with the Doc.
	s := d.String()
	if err := d.Apply(Op{Delete(1), Insert("HÉ")}); err != nil {
		t.Fatal(err)
	}
	if s != "héy 😭" || !bytes.HasPrefix(d.AppendTo(nil), []byte("HÉé")) {
		t.Errorf("after a second edit: old String %q, Doc %q", s, d.String())
	}
}

// TestWalk checks the code point walks against decoding, across the
// lengths where they count whole windows of bytes.
func TestWalk(t *testing.T) {
	rng := newRand(7)
	for i := range 300 {
		alpha := docAlphabets[i%len(docAlphabets)]
		s := randText(rng, alpha, rng.IntN(200))
		var starts []int // byte offset of each code point, then len(s)
		for j := range s {
			starts = append(starts, j)
		}
		starts = append(starts, len(s))
		b := []byte(s)
		for range 20 {
			from := rng.IntN(len(starts))
			k := rng.IntN(len(starts) - from)
			if got := walkForward(b, starts[from], k); got != starts[from+k] {
				t.Fatalf("walkForward(%q, %d, %d) = %d, want %d", s, starts[from], k, got, starts[from+k])
			}
			if got := walkBack(b, starts[from+k], k); got != starts[from] {
				t.Fatalf("walkBack(%q, %d, %d) = %d, want %d", s, starts[from+k], k, got, starts[from])
			}
		}
		if got := countStarts(b); got != len(starts)-1 {
			t.Fatalf("countStarts(%q) = %d, want %d", s, got, len(starts)-1)
		}
	}
	if got := countStarts([]byte(strings.Repeat("é", 40))[1:]); got != 39 {
		t.Errorf("countStarts of a cut string = %d, want 39", got)
	}
}

func ExampleDoc() {
	d, err := NewDoc("hello world")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, op := range []Op{
		{Skip(5), Insert(",")},
		{Skip(7), Delete(5), Insert("Gophers 🐹")},
	} {
		if err := d.Apply(op); err != nil {
			fmt.Println(err)
		}
	}
	fmt.Println(d, d.Len())
	// Output: hello, Gophers 🐹 16
}
