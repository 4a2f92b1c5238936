package ot

import (
	"fmt"
	"testing"
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
