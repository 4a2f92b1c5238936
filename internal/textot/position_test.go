package textot

import (
	"fmt"
	"testing"
)

func TestTransformPosition(t *testing.T) {
	tests := []struct {
		pos  int
		op   Op
		want int
	}{
		{0, Op{}, 0},
		{0, Op{Insert("x")}, 0},            // an insert at the cursor stays after it
		{1, Op{Insert("x")}, 2},            // an insert before pushes
		{2, Op{Skip(2), Insert("ab")}, 2},  // at the cursor, after a skip
		{3, Op{Skip(2), Insert("ab")}, 5},  // before the cursor
		{2, Op{Skip(3), Insert("ab")}, 2},  // after the cursor
		{3, Op{Delete(1), Insert("x")}, 3}, // replace before the cursor
		{1, Op{Delete(2), Insert("x")}, 0}, // deleted around the cursor; the insert lands after it
		{5, Op{Skip(1), Delete(2)}, 3},     // a delete before pulls
		{2, Op{Skip(1), Delete(3)}, 1},     // a delete covering the cursor moves it to the start
		{2, Op{Skip(1), Insert("😭")}, 3},   // astral counts one
		{3, Op{Insert("é中"), Skip(1), Delete(1)}, 4},
		{10, Op{Insert("ab")}, 12},                                    // beyond the document: shifted like any other
		{-1, Op{Insert("ab")}, -1},                                    // before the start: unchanged
		{3, Op{Skip(0), Insert(""), {}, Delete(-1), Insert("ab")}, 5}, // invalid components count as nothing
	}
	for _, tt := range tests {
		if got := TransformPosition(tt.pos, tt.op); got != tt.want {
			t.Errorf("TransformPosition(%d, %v) = %d, want %d", tt.pos, tt.op, got, tt.want)
		}
	}
}

// TestTransformPositionProperty checks on documents of distinct code points
// that the character before the cursor stays before it when it survives,
// and that normalizing the op changes nothing.
func TestTransformPositionProperty(t *testing.T) {
	for seed := range uint64(3000) {
		rng := newRand(seed)
		// Distinct CJK code points for the document; inserts use other
		// alphabets, so every character's identity is known.
		n := rng.IntN(30)
		docRunes := make([]rune, n)
		for i := range docRunes {
			docRunes[i] = rune(0x4e00 + i)
		}
		doc := string(docRunes)
		alpha := alphabets[[]string{"ascii", "astral"}[seed%2]]
		op := randOp(rng, alpha, n, seed%2 == 0)
		newDoc := []rune(mustApply(t, doc, op))
		pos := rng.IntN(n + 1)
		got := TransformPosition(pos, op)
		if norm := TransformPosition(pos, Normalize(op)); norm != got {
			t.Fatalf("seed %d: TransformPosition(%d, %v) = %d but %d for the normalized op", seed, pos, op, got, norm)
		}
		if got < 0 || got > len(newDoc) {
			t.Fatalf("seed %d: TransformPosition(%d, %v) = %d, outside the new document of %d", seed, pos, op, got, len(newDoc))
		}
		if pos == 0 && got != 0 {
			t.Fatalf("seed %d: cursor at 0 moved to %d by %v", seed, got, op)
		}
		if pos > 0 {
			before := docRunes[pos-1]
			survives := false
			for _, r := range newDoc {
				survives = survives || r == before
			}
			if survives && (got == 0 || newDoc[got-1] != before) {
				t.Fatalf("seed %d: doc %q op %v: cursor %d after %q became %d in %q", seed, doc, op, pos, before, got, string(newDoc))
			}
		}
	}
}

func ExampleTransformPosition() {
	// The other user inserts "ab" right at my cursor (position 2) and "X"
	// before it: my cursor moves past "X" only.
	fmt.Println(TransformPosition(2, Op{Insert("X"), Skip(2), Insert("ab")}))
	// Output: 3
}
