package textot

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"slices"
	"testing"

	"github.com/pid1/pid1/test/kit/testutil"
)

// refCase is one case for test/node/ot_reference.mjs; see that script for
// what it computes.
type refCase struct {
	Doc    string `json:"doc"`
	A      Op     `json:"a"`
	B      Op     `json:"b"`
	C      Op     `json:"c"`
	Raw    Op     `json:"raw"`
	Side   string `json:"side"`
	Cursor int    `json:"cursor"`
}

type refResult struct {
	Transform, TransformBA, Compose, ComposeAC, Apply, ApplyAC, Position, Normalize json.RawMessage
}

// TestReference runs thousands of random cases through the real
// ot-text-unicode 4.0.0 and requires this package to produce the same ops,
// documents and positions.
func TestReference(t *testing.T) {
	dir := testutil.NodeDir(t, "ot-text-unicode")

	const seed, n = 20240601, 6000
	rng := newRand(seed)
	// Besides the usual alphabets, characters that JSON escapes
	// differently in Go and JavaScript, to check the encoding round-trips.
	alphas := append(slices.Clone(alphabetNames), "escapes")
	local := map[string][]rune{"escapes": []rune("a<>&\"\\\t\u2028\u2029é😭")}
	cases := make([]refCase, n)
	for i := range cases {
		name := alphas[i%len(alphas)]
		alpha := alphabets[name]
		if alpha == nil {
			alpha = local[name]
		}
		maxLen := 30
		if i%10 == 0 {
			maxLen = 300
		}
		doc := randDoc(rng, alpha, maxLen)
		docLen := runeLen(doc)
		a := randOp(rng, alpha, docLen, false)
		docA, err := Apply(doc, a)
		if err != nil {
			t.Fatal(err)
		}
		// Empty components, which Normalize (and normalize) drop.
		raw := randOp(rng, alpha, docLen, true)
		for range rng.IntN(3) {
			empty := []Component{Skip(0), Insert(""), Delete(0)}[rng.IntN(3)]
			raw = slices.Insert(raw, rng.IntN(len(raw)+1), empty)
		}
		cases[i] = refCase{
			Doc:    doc,
			A:      a,
			B:      randOp(rng, alpha, docLen, false),
			C:      randOp(rng, alpha, runeLen(docA), false),
			Raw:    raw,
			Side:   []string{"left", "right"}[rng.IntN(2)],
			Cursor: rng.IntN(docLen + 2),
		}
	}
	in, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", "ot_reference.mjs")
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node ot_reference.mjs: %v\n%s", err, stderr.String())
	}
	var results []refResult
	if err := json.Unmarshal(out, &results); err != nil {
		t.Fatalf("decoding the reference's output: %v", err)
	}
	if len(results) != len(cases) {
		t.Fatalf("reference returned %d results for %d cases", len(results), len(cases))
	}

	failures := 0
	for i, c := range cases {
		r := results[i]
		fail := func(what string, got any, ref json.RawMessage) {
			t.Helper()
			t.Errorf("seed %d case %d: %s: doc %q a %v b %v c %v raw %v side %s cursor %d:\n  go:  %v\n  ref: %s",
				seed, i, what, c.Doc, c.A, c.B, c.C, c.Raw, c.Side, c.Cursor, got, ref)
			failures++
		}
		side, other := Left, Right
		if c.Side == "right" {
			side, other = Right, Left
		}
		checkOp := func(what string, got Op, err error, ref json.RawMessage) {
			t.Helper()
			if err != nil {
				fail(what, err, ref)
				return
			}
			var refOp Op
			if jerr := json.Unmarshal(ref, &refOp); jerr != nil {
				fail(what+" (reference output is not an op)", got, ref)
				return
			}
			// The reference's ops come out normalized; compare the
			// normalized JSON, which then is the JSON itself.
			if !isNormal(refOp) || Normalize(refOp).String() != got.String() {
				fail(what, got, ref)
			}
		}
		checkString := func(what, got string, err error, ref json.RawMessage) {
			t.Helper()
			var refDoc string
			if err != nil || json.Unmarshal(ref, &refDoc) != nil || refDoc != got {
				fail(what, got, ref)
			}
		}

		got, err := Transform(c.A, c.B, side)
		checkOp("transform(a, b, side)", got, err, r.Transform)
		got, err = Transform(c.B, c.A, other)
		checkOp("transform(b, a, other side)", got, err, r.TransformBA)
		got, err = Compose(c.A, c.B)
		checkOp("compose(a, b)", got, err, r.Compose)
		got, err = Compose(c.A, c.C)
		checkOp("compose(a, c)", got, err, r.ComposeAC)
		checkOp("normalize(raw)", Normalize(c.Raw), nil, r.Normalize)

		docA, err := Apply(c.Doc, c.A)
		checkString("apply(doc, a)", docA, err, r.Apply)
		docAC, err := Apply(docA, c.C)
		checkString("apply(apply(doc, a), c)", docAC, err, r.ApplyAC)

		var refPos int
		if pos := TransformPosition(c.Cursor, c.A); json.Unmarshal(r.Position, &refPos) != nil || refPos != pos {
			fail("transformPosition(cursor, a)", pos, r.Position)
		}
		if failures > 20 {
			t.Fatal("too many differences")
		}
	}
}
