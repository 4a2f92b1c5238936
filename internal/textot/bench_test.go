package textot

import (
	"math/rand/v2"
	"strings"
	"testing"
)

const benchDocBytes = 100 << 10

// benchDoc returns a document of about 100 KiB: lines of ASCII, or of
// mixed text with multi-byte and astral code points.
func benchDoc(mixed bool) string {
	line := "the quick brown fox jumps over the lazy dog 0123456789\n"
	if mixed {
		line = "le renard brun rapide 🦊 saute 中文 über 𝔸 den faulen Hund\n"
	}
	return strings.Repeat(line, benchDocBytes/len(line)+1)[:benchDocBytes/len(line)*len(line)]
}

// spread says where the edits of a session fall.
type spread int

const (
	near     spread = iota // each within 20 code points of the previous one
	anywhere               // anywhere in the document
	far                    // alternately a quarter and three quarters in
)

// editSession returns n ops applied one after another to doc, each an
// insert or delete of a few code points, as typing produces, placed as
// where says.
func editSession(rng *rand.Rand, doc string, n int, where spread) []Op {
	length := runeLen(doc)
	ops := make([]Op, n)
	at := length / 2
	for i := range ops {
		switch where {
		case near:
			at += rng.IntN(41) - 20
		case anywhere:
			at = rng.IntN(length + 1)
		case far:
			at = length/4 + i%2*length/2
		}
		at = min(max(at, 0), length-3)
		var op Op
		if at > 0 {
			op = append(op, Skip(at))
		}
		// Inserts and deletes alternate so the length stays put.
		if i%2 == 0 {
			op = append(op, Insert("ab😭"))
			length += 3
		} else {
			op = append(op, Delete(3))
			length -= 3
		}
		ops[i] = op
	}
	return ops
}

// BenchmarkApply applies a session of 4,096 small edits to a 100 KiB
// document, reporting the time per op: with the string API (a new string
// per op) and with Doc (a gap buffer), for edits near each other, anywhere
// in the document, and half the document apart each time (the gap moves
// 50 KiB).
func BenchmarkApply(b *testing.B) {
	for _, text := range []struct {
		name  string
		mixed bool
	}{{"ascii", false}, {"mixed", true}} {
		doc := benchDoc(text.mixed)
		for _, session := range []struct {
			name  string
			where spread
		}{{"near", near}, {"random", anywhere}, {"far", far}} {
			ops := editSession(newRand(1), doc, 4096, session.where)
			b.Run("string/"+text.name+"/"+session.name, func(b *testing.B) {
				b.SetBytes(int64(len(doc)))
				cur := doc
				i := 0
				for b.Loop() {
					if i == len(ops) {
						i, cur = 0, doc
					}
					var err error
					if cur, err = Apply(cur, ops[i]); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
			b.Run("Doc/"+text.name+"/"+session.name, func(b *testing.B) {
				d := mustDoc(b, doc)
				i := 0
				for b.Loop() {
					if i == len(ops) {
						b.StopTimer()
						i, d = 0, mustDoc(b, doc)
						b.StartTimer()
					}
					if err := d.Apply(ops[i]); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
		}
	}
}

// BenchmarkDoc measures reading a whole 100 KiB Doc whose gap is in the
// middle: its checksum, and its text as bytes and as a string.
func BenchmarkDoc(b *testing.B) {
	for _, text := range []struct {
		name  string
		mixed bool
	}{{"ascii", false}, {"mixed", true}} {
		doc := benchDoc(text.mixed)
		d := mustDoc(b, doc)
		if err := d.Apply(Op{Skip(runeLen(doc) / 2), Insert("x")}); err != nil {
			b.Fatal(err)
		}
		b.Run("CRC32/"+text.name, func(b *testing.B) {
			b.SetBytes(int64(d.Bytes()))
			for b.Loop() {
				d.CRC32()
			}
		})
		b.Run("AppendTo/"+text.name, func(b *testing.B) {
			b.SetBytes(int64(d.Bytes()))
			buf := make([]byte, 0, d.Bytes())
			for b.Loop() {
				buf = d.AppendTo(buf[:0])
			}
		})
		b.Run("String/"+text.name, func(b *testing.B) {
			b.SetBytes(int64(d.Bytes()))
			for b.Loop() {
				_ = d.String()
			}
		})
	}
}

// BenchmarkTransformAgainstHistory transforms one op, made against version
// 0 of a 100 KiB document, against a history of 1,000 ops, one at a time
// as a server does for a client that fell behind. ns/op is for the whole
// history; ns/transform is per history op.
func BenchmarkTransformAgainstHistory(b *testing.B) {
	doc := benchDoc(true)
	history := editSession(newRand(2), doc, 1000, anywhere)
	op := Op{Skip(runeLen(doc) / 3), Delete(2), Insert("xyz"), Skip(100), Insert("é😭")}
	for b.Loop() {
		cur := op
		for _, h := range history {
			var err error
			if cur, err = Transform(cur, h, Left); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(history)), "ns/transform")
}

// BenchmarkCompose composes a session of edits into one op.
func BenchmarkCompose(b *testing.B) {
	doc := benchDoc(true)
	ops := editSession(newRand(3), doc, 1000, near)
	for b.Loop() {
		acc := Op{}
		for _, op := range ops {
			var err error
			if acc, err = Compose(acc, op); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkDiff diffs a 100 KiB document against copies with a few small
// edits and with many, against an unrelated document, and against random
// text of the same length, the worst case: the code point diff runs until
// its budget is spent.
func BenchmarkDiff(b *testing.B) {
	doc := benchDoc(true)
	alpha := []rune("ab é中😭\n")
	for _, c := range []struct {
		name  string
		other string
	}{
		{"few", scatter(newRand(4), doc, alpha, 5)},
		{"many", scatter(newRand(5), doc, alpha, 500)},
		{"unrelated", benchDoc(false)},
		{"random", randText(newRand(6), alpha, runeLen(doc))},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			for b.Loop() {
				Diff(doc, c.other)
			}
		})
	}
}
