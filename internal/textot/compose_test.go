package textot

import (
	"errors"
	"fmt"
	"testing"
)

func TestCompose(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		a, b Op
		want Op
	}{
		{"both empty", "abc", Op{}, Op{}, Op{}},
		{"second deletes part of the first's insert", "", Op{Insert("abc")}, Op{Skip(1), Delete(1)}, Op{Insert("ac")}},
		{"second deletes all of the first's insert", "xy", Op{Insert("ab")}, Op{Delete(2)}, Op{}},
		{"insert goes before an earlier delete", "ab", Op{Delete(2)}, Op{Insert("x")}, Op{Insert("x"), Delete(2)}},
		{"delete after a kept skip", "abc", Op{Skip(1), Delete(1)}, Op{Skip(1), Insert("x")}, Op{Skip(1), Insert("x"), Delete(1)}},
		{"deletes merge", "abc", Op{Skip(1), Delete(1)}, Op{Skip(1), Delete(1)}, Op{Skip(1), Delete(2)}},
		{"astral insert replaced", "ab", Op{Skip(2), Insert("😭")}, Op{Skip(2), Delete(1), Insert("𝔸")}, Op{Skip(2), Insert("𝔸")}},
		{"split multi-byte insert", "", Op{Insert("é中😭𝔸")}, Op{Skip(1), Delete(2), Insert("z")}, Op{Insert("éz𝔸")}},
		{"second goes beyond the first", "abcdef", Op{Skip(1), Insert("x")}, Op{Skip(4), Delete(1)}, Op{Skip(1), Insert("x"), Skip(2), Delete(1)}},
		{"inputs are normalized first", "abc", Op{Insert("a"), Insert("b"), Skip(2)}, Op{Delete(1), Delete(1), Skip(1)}, Op{}},
	}
	for _, tt := range tests {
		got, err := Compose(tt.a, tt.b)
		if err != nil || got == nil || !equalOps(got, tt.want) {
			t.Errorf("%s: Compose(%v, %v) = %v, %v; want %v", tt.name, tt.a, tt.b, got, err, tt.want)
			continue
		}
		want := mustApply(t, mustApply(t, tt.doc, tt.a), tt.b)
		if doc := mustApply(t, tt.doc, got); doc != want {
			t.Errorf("%s: composed op gives %q, want %q", tt.name, doc, want)
		}
	}
	for _, tt := range []struct {
		a, b Op
		want error
	}{
		{Op{Skip(0)}, Op{}, ErrZeroSkip},
		{Op{}, Op{Insert("")}, ErrEmptyInsert},
		{Op{}, Op{{}}, ErrInvalidComponent},
	} {
		if got, err := Compose(tt.a, tt.b); !errors.Is(err, tt.want) {
			t.Errorf("Compose(%v, %v) = %v, %v; want %v", tt.a, tt.b, got, err, tt.want)
		}
	}
}

// TestComposeProperty: applying compose(a, b) equals applying a then b, and
// composition is associative in effect.
func TestComposeProperty(t *testing.T) {
	for seed := range uint64(5000) {
		rng := newRand(seed)
		alpha := alphabets[alphabetNames[seed%4]]
		doc := randDoc(rng, alpha, 40)
		a := randOp(rng, alpha, runeLen(doc), seed%2 == 0)
		docA := mustApply(t, doc, a)
		b := randOp(rng, alpha, runeLen(docA), seed%3 == 0)
		docB := mustApply(t, docA, b)
		c := randOp(rng, alpha, runeLen(docB), false)
		docC := mustApply(t, docB, c)

		ab := mustCompose(t, a, b)
		if !isNormal(ab) {
			t.Fatalf("seed %d: Compose(%v, %v) = %v is not normal", seed, a, b, ab)
		}
		if got := mustApply(t, doc, ab); got != docB {
			t.Fatalf("seed %d: doc %q a %v b %v: apply(compose) = %q, want %q", seed, doc, a, b, got, docB)
		}
		left := mustCompose(t, ab, c)
		right := mustCompose(t, a, mustCompose(t, b, c))
		if l, r := mustApply(t, doc, left), mustApply(t, doc, right); l != docC || r != docC {
			t.Fatalf("seed %d: (ab)c gives %q, a(bc) gives %q, want %q", seed, l, r, docC)
		}
	}
}

func ExampleCompose() {
	typed, _ := Compose(Op{Insert("hel")}, Op{Skip(3), Insert("lo")})
	fixed, _ := Compose(typed, Op{Delete(1), Insert("H")})
	fmt.Println(typed, fixed)
	// Output: ["hello"] ["Hello"]
}
