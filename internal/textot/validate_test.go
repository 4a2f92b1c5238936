package textot

import (
	"errors"
	"fmt"
	"math"
	"testing"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		op   Op
		want error
	}{
		{"empty", Op{}, nil},
		{"nil", nil, nil},
		{"normal", Op{Skip(2), Insert("é"), Delete(1)}, nil},
		{"trailing skip is trimmed, not rejected", Op{Insert("a"), Skip(3)}, nil},
		{"adjacent kinds are merged, not rejected", Op{Skip(1), Skip(2), Insert("a"), Insert("b"), Delete(1), Delete(1)}, nil},
		{"zero skip", Op{Skip(0), Insert("a")}, ErrZeroSkip},
		{"negative skip", Op{Skip(-2)}, ErrZeroSkip},
		{"zero delete", Op{Delete(0)}, ErrZeroDelete},
		{"negative delete", Op{Insert("a"), Delete(-1)}, ErrZeroDelete},
		{"empty insert", Op{Skip(1), Insert("")}, ErrEmptyInsert},
		{"invalid UTF-8", Op{Insert("a\xffb")}, ErrInvalidUTF8},
		{"surrogate half", Op{Insert("\xed\xa0\x80")}, ErrInvalidUTF8},
		{"zero component", Op{Skip(1), {}}, ErrInvalidComponent},
		{"huge skip", Op{Skip(MaxSpan + 1)}, ErrTooLong},
		{"skips that add up past MaxSpan", Op{Skip(MaxSpan), Insert("x"), Skip(1)}, ErrTooLong},
		{"inserts that add up past MaxSpan", Op{Delete(MaxSpan), Skip(MaxSpan)}, ErrTooLong},
		{"MaxSpan itself", Op{Skip(MaxSpan - 1), Delete(1)}, nil},
		{"a sum that would wrap", Op{Skip(10), Skip(math.MaxInt - 9), Insert("0")}, ErrTooLong},
		{"MaxInt", Op{Insert("x"), Delete(math.MaxInt)}, ErrTooLong},
	}
	for _, tt := range tests {
		err := Validate(tt.op)
		if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("%s: Validate(%v) = %v, want %v", tt.name, tt.op, err, tt.want)
		}
	}
	// The message names the offending component.
	if err := Validate(Op{Skip(1), Insert("a"), Skip(0)}); err == nil || err.Error() != "component 2: skip of 0: skip count must be positive" {
		t.Errorf("message: %v", err)
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		in, want Op
	}{
		{nil, Op{}},
		{Op{Skip(3)}, Op{}},
		{Op{Skip(1), Skip(2), Insert("a")}, Op{Skip(3), Insert("a")}},
		{Op{Insert("a"), Insert("😭"), Insert("b")}, Op{Insert("a😭b")}},
		{Op{Delete(1), Delete(2), Skip(1), Skip(1)}, Op{Delete(3)}},
		{Op{Skip(0), Insert(""), Delete(0), Skip(2), {}, Skip(1), Delete(1)}, Op{Skip(3), Delete(1)}},
		// An insert and a delete at one position stay in their order, as
		// in ot-text-unicode.
		{Op{Delete(1), Insert("x")}, Op{Delete(1), Insert("x")}},
		{Op{Insert("x"), Delete(1)}, Op{Insert("x"), Delete(1)}},
		{Op{Insert("x"), Skip(0), Insert("y")}, Op{Insert("xy")}},
	}
	for _, tt := range tests {
		in := append(Op(nil), tt.in...)
		got := Normalize(tt.in)
		if got == nil || !equalOps(got, tt.want) {
			t.Errorf("Normalize(%v) = %#v, want %v", tt.in, got, tt.want)
		}
		if !equalOps(in, tt.in) {
			t.Errorf("Normalize modified its input: %v became %v", in, tt.in)
		}
		if !isNormal(got) {
			t.Errorf("Normalize(%v) = %v is not normal", tt.in, got)
		}
	}
	// The merged insert keeps a correct length.
	if got := Normalize(Op{Insert("é"), Insert("𝔸")}); got[0].Len() != 2 {
		t.Errorf("merged insert has length %d, want 2", got[0].Len())
	}
}

// TestNormalizeProperty: normalizing never changes what an op does.
func TestNormalizeProperty(t *testing.T) {
	for seed := range uint64(3000) {
		rng := newRand(seed)
		alpha := alphabets[alphabetNames[seed%4]]
		doc := randDoc(rng, alpha, 30)
		op := randOp(rng, alpha, runeLen(doc), true)
		norm := Normalize(op)
		if !isNormal(norm) {
			t.Fatalf("seed %d: Normalize(%v) = %v is not normal", seed, op, norm)
		}
		if again := Normalize(norm); !equalOps(again, norm) {
			t.Fatalf("seed %d: Normalize is not idempotent: %v then %v", seed, norm, again)
		}
		want := mustApply(t, doc, op)
		if got := mustApply(t, doc, norm); got != want {
			t.Fatalf("seed %d: doc %q op %v: Apply(Normalize(op)) = %q, Apply(op) = %q", seed, doc, op, got, want)
		}
	}
}

func ExampleNormalize() {
	fmt.Println(Normalize(Op{Skip(1), Skip(2), Insert("a"), Insert("😭"), Delete(1), Skip(4)}))
	// Output: [3,"a😭",{"d":1}]
}
