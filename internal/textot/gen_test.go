package textot

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// Alphabets for random documents and inserts: one to three bytes per code
// point, and astral code points, which are two UTF-16 units in JavaScript.
var alphabets = map[string][]rune{
	"ascii":     []rune("abcdefgh \n"),
	"multibyte": []rune("aéß中Ωж文"),
	"astral":    []rune("a😭𝔸🎉𝄞"),
	"mixed":     []rune("ab é中😭𝔸\n"),
}

var alphabetNames = []string{"ascii", "multibyte", "astral", "mixed"}

// newRand returns a generator for seed; tests report the seed on failure so
// that a failure reproduces with the same seed.
func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x6f74)) }

func randText(rng *rand.Rand, alpha []rune, n int) string {
	var sb strings.Builder
	for range n {
		sb.WriteRune(alpha[rng.IntN(len(alpha))])
	}
	return sb.String()
}

// randDoc returns a document of up to maxLen code points.
func randDoc(rng *rand.Rand, alpha []rune, maxLen int) string {
	return randText(rng, alpha, rng.IntN(maxLen+1))
}

// randOp returns a valid op against a document of docLen code points. With
// messy set it may be non-normalized: adjacent components of one kind and a
// trailing skip.
func randOp(rng *rand.Rand, alpha []rune, docLen int, messy bool) Op {
	var op Op
	left := docLen
	steps := rng.IntN(8)
	if docLen > 20 {
		steps += rng.IntN(8)
	}
	for range steps {
		switch k := rng.IntN(3); {
		case k == 0 && left > 0:
			n := 1 + rng.IntN(min(left, 6))
			if rng.IntN(8) == 0 {
				n = 1 + rng.IntN(left)
			}
			op = append(op, Skip(n))
			left -= n
		case k == 1 && left > 0:
			n := 1 + rng.IntN(min(left, 4))
			op = append(op, Delete(n))
			left -= n
		default:
			op = append(op, Insert(randText(rng, alpha, 1+rng.IntN(4))))
		}
	}
	if messy && left > 0 && rng.IntN(3) == 0 {
		op = append(op, Skip(1+rng.IntN(left)))
	}
	if !messy {
		op = Normalize(op)
	}
	return op
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }

func mustApply(t testing.TB, doc string, op Op) string {
	t.Helper()
	out, err := Apply(doc, op)
	if err != nil {
		t.Fatalf("Apply(%q, %v): %v", doc, op, err)
	}
	return out
}

func mustTransform(t testing.TB, op, other Op, side Side) Op {
	t.Helper()
	out, err := Transform(op, other, side)
	if err != nil {
		t.Fatalf("Transform(%v, %v, %v): %v", op, other, side, err)
	}
	return out
}

func mustCompose(t testing.TB, a, b Op) Op {
	t.Helper()
	out, err := Compose(a, b)
	if err != nil {
		t.Fatalf("Compose(%v, %v): %v", a, b, err)
	}
	return out
}

// isNormal reports whether op is in normal form.
func isNormal(op Op) bool {
	for i, c := range op {
		if c.n <= 0 || (c.kind == KindInsert && c.text == "") {
			return false
		}
		if i > 0 && op[i-1].kind == c.kind {
			return false
		}
	}
	return len(op) == 0 || op[len(op)-1].kind != KindSkip
}
