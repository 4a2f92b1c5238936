package textot

import (
	"errors"
	"fmt"
	"testing"
)

func TestTransform(t *testing.T) {
	tests := []struct {
		name        string
		doc         string
		op, other   Op
		left, right Op // Transform(op, other, Left) and (…, Right)
		result      [2]string
	}{
		{
			name: "inserts at the same position: the side decides",
			doc:  "xy", op: Op{Skip(1), Insert("a")}, other: Op{Skip(1), Insert("b")},
			left: Op{Skip(1), Insert("a")}, right: Op{Skip(2), Insert("a")},
			result: [2]string{"xaby", "xbay"},
		},
		{
			name: "insert before the other's insert",
			doc:  "xy", op: Op{Insert("a")}, other: Op{Skip(2), Insert("b")},
			left: Op{Insert("a")}, right: Op{Insert("a")},
			result: [2]string{"axyb", "axyb"},
		},
		{
			name: "insert after the other's insert moves right",
			doc:  "xyz", op: Op{Skip(2), Insert("a")}, other: Op{Insert("bb")},
			left: Op{Skip(4), Insert("a")}, right: Op{Skip(4), Insert("a")},
			result: [2]string{"bbxyaz", "bbxyaz"},
		},
		{
			name: "overlapping deletes delete once",
			doc:  "abcdef", op: Op{Skip(1), Delete(3)}, other: Op{Skip(2), Delete(3)},
			left: Op{Skip(1), Delete(1)}, right: Op{Skip(1), Delete(1)},
			result: [2]string{"af", "af"},
		},
		{
			name: "same delete twice becomes a no-op",
			doc:  "abc", op: Op{Skip(1), Delete(1)}, other: Op{Skip(1), Delete(1)},
			left: Op{}, right: Op{},
			result: [2]string{"ac", "ac"},
		},
		{
			name: "insert inside a deleted region survives",
			doc:  "abcdef", op: Op{Skip(3), Insert("X")}, other: Op{Skip(1), Delete(4)},
			left: Op{Skip(1), Insert("X")}, right: Op{Skip(1), Insert("X")},
			result: [2]string{"aXf", "aXf"},
		},
		{
			name: "delete around the other's insert keeps the insert",
			doc:  "abcd", op: Op{Skip(1), Delete(2)}, other: Op{Skip(2), Insert("X")},
			left: Op{Skip(1), Delete(1), Skip(1), Delete(1)}, right: Op{Skip(1), Delete(1), Skip(1), Delete(1)},
			result: [2]string{"aXd", "aXd"},
		},
		{
			name: "astral and multi-byte counted as one code point each",
			doc:  "é中", op: Op{Skip(1), Insert("😭")}, other: Op{Delete(1), Insert("𝔸")},
			left: Op{Insert("😭")}, right: Op{Skip(1), Insert("😭")},
			result: [2]string{"😭𝔸中", "𝔸😭中"},
		},
		{
			name: "ops are normalized first",
			doc:  "abc", op: Op{Skip(1), Skip(1), Insert("x"), Insert("😭"), Skip(1)}, other: Op{Delete(1), Delete(1)},
			left: Op{Insert("x😭")}, right: Op{Insert("x😭")},
			result: [2]string{"x😭c", "x😭c"},
		},
		{
			name: "empty ops",
			doc:  "abc", op: Op{}, other: Op{Skip(1), Insert("x")},
			left: Op{}, right: Op{},
			result: [2]string{"axbc", "axbc"},
		},
	}
	for _, tt := range tests {
		for i, side := range []Side{Left, Right} {
			want := []Op{tt.left, tt.right}[i]
			got, err := Transform(tt.op, tt.other, side)
			if err != nil {
				t.Errorf("%s: Transform(%v, %v, %v): %v", tt.name, tt.op, tt.other, side, err)
				continue
			}
			if !equalOps(got, want) || got == nil {
				t.Errorf("%s: Transform(%v, %v, %v) = %v, want %v", tt.name, tt.op, tt.other, side, got, want)
			}
			if doc := mustApply(t, mustApply(t, tt.doc, tt.other), got); doc != tt.result[i] {
				t.Errorf("%s (%v): document %q, want %q", tt.name, side, doc, tt.result[i])
			}
		}
	}
}

func TestTransformErrors(t *testing.T) {
	tests := []struct {
		op, other Op
		side      Side
		want      error
	}{
		{Op{Insert("a")}, Op{}, 0, ErrInvalidSide},
		{Op{Insert("a")}, Op{}, Side(3), ErrInvalidSide},
		{Op{Insert("")}, Op{}, Left, ErrEmptyInsert},
		{Op{}, Op{Skip(0)}, Right, ErrZeroSkip},
		{Op{}, Op{Delete(-1)}, Left, ErrZeroDelete},
		{Op{{}}, Op{}, Left, ErrInvalidComponent},
	}
	for _, tt := range tests {
		if got, err := Transform(tt.op, tt.other, tt.side); !errors.Is(err, tt.want) {
			t.Errorf("Transform(%v, %v, %v) = %v, %v; want %v", tt.op, tt.other, tt.side, got, err, tt.want)
		}
	}
}

// TestTransformTP1: two ops made against one document converge whichever
// is applied first, when the one applied second is transformed (TP1).
func TestTransformTP1(t *testing.T) {
	for seed := range uint64(5000) {
		rng := newRand(seed)
		alpha := alphabets[alphabetNames[seed%4]]
		doc := randDoc(rng, alpha, 40)
		a := randOp(rng, alpha, runeLen(doc), seed%3 == 0)
		b := randOp(rng, alpha, runeLen(doc), seed%5 == 0)
		a2 := mustTransform(t, a, b, Left)
		b2 := mustTransform(t, b, a, Right)
		if !isNormal(a2) || !isNormal(b2) {
			t.Fatalf("seed %d: not normal: %v, %v", seed, a2, b2)
		}
		viaA := mustApply(t, mustApply(t, doc, a), b2)
		viaB := mustApply(t, mustApply(t, doc, b), a2)
		if viaA != viaB {
			t.Fatalf("seed %d: doc %q a %v b %v: apply(apply(doc,a), T(b,a,Right)) = %q but apply(apply(doc,b), T(a,b,Left)) = %q",
				seed, doc, a, b, viaA, viaB)
		}
	}
}

// TestTransformHistory plays a client that made an op against version 0
// while the server committed k other ops. The server transforms the
// client's op against the history one op at a time (side Left); the client
// transforms each incoming op against its pending op (side Right) and its
// pending op against each incoming one. Both must end with the same
// document, and the client's final pending op must be exactly the op the
// server committed, which is how the client recognizes its acknowledgement.
func TestTransformHistory(t *testing.T) {
	for seed := range uint64(1000) {
		rng := newRand(seed)
		alpha := alphabets[alphabetNames[seed%4]]
		base := randDoc(rng, alpha, 40)
		k := 1 + rng.IntN(20)
		history := make([]Op, k)
		server := base
		for i := range history {
			history[i] = randOp(rng, alpha, runeLen(server), false)
			server = mustApply(t, server, history[i])
		}
		op := randOp(rng, alpha, runeLen(base), seed%2 == 0)

		committed := op
		for _, h := range history {
			committed = mustTransform(t, committed, h, Left)
		}
		server = mustApply(t, server, committed)

		client := mustApply(t, base, op)
		pending := op
		for _, h := range history {
			incoming := mustTransform(t, h, pending, Right)
			pending = mustTransform(t, pending, h, Left)
			client = mustApply(t, client, incoming)
		}
		if client != server {
			t.Fatalf("seed %d: base %q op %v history %v: client has %q, server %q", seed, base, op, history, client, server)
		}
		if committed.String() != pending.String() {
			t.Fatalf("seed %d: server committed %v, client expects %v", seed, committed, pending)
		}
		// TransformPast makes the same steps with reused buffers.
		for _, side := range []Side{Left, Right} {
			want := op
			for _, h := range history {
				want = mustTransform(t, want, h, side)
			}
			got, err := TransformPast(op, history, side)
			if err != nil || got.String() != want.String() {
				t.Fatalf("seed %d: TransformPast(%v, %v, %v) = %v, %v; one at a time: %v", seed, op, history, side, got, err, want)
			}
		}
	}
}

func TestTransformPastErrors(t *testing.T) {
	if op, err := TransformPast(Op{Skip(2), Skip(1)}, nil, Right); err != nil || op.String() != "[2,1]" {
		t.Fatalf("no history: %v %v", op, err)
	}
	for _, c := range []struct {
		op      Op
		history []Op
		side    Side
		want    string
	}{
		{Op{Insert("x")}, []Op{{Skip(1)}}, 0, "side must be Left or Right (got Side(0))"},
		{Op{Skip(0)}, nil, Right, "op: component 0: skip of 0: skip count must be positive"},
		{Op{Insert("x")}, []Op{{Insert("a")}, {Delete(0)}}, Right, "history op 1: component 0: delete of 0: delete count must be positive"},
	} {
		if _, err := TransformPast(c.op, c.history, c.side); err == nil || err.Error() != c.want {
			t.Errorf("TransformPast(%v, %v, %v): %v, want %q", c.op, c.history, c.side, err, c.want)
		}
	}
}

// TestTransformComposedHistoryDiffers shows why a history must be
// transformed against one op at a time: against the composition of the
// same two ops, an insert in re-filled deleted text lands elsewhere.
func TestTransformComposedHistoryDiffers(t *testing.T) {
	doc := "0123456789"
	h1 := Op{Skip(3), Delete(4)}
	h2 := Op{Skip(3), Insert("Q")}
	op := Op{Skip(5), Insert("Y")}

	oneAtATime := mustTransform(t, mustTransform(t, op, h1, Left), h2, Left)
	composed := mustTransform(t, op, mustCompose(t, h1, h2), Left)
	after := mustApply(t, mustApply(t, doc, h1), h2)
	if got := mustApply(t, after, oneAtATime); got != "012YQ789" {
		t.Errorf("one at a time: %q", got)
	}
	if got := mustApply(t, after, composed); got != "012QY789" {
		t.Errorf("composed: %q", got)
	}
}

func ExampleTransform() {
	// Two users edit "hello" at once: one appends "!", the other
	// capitalizes the "h".
	mine := Op{Skip(5), Insert("!")}
	theirs := Op{Delete(1), Insert("H")}
	mine2, _ := Transform(mine, theirs, Left)
	doc, _ := Apply("hello", theirs)
	doc, _ = Apply(doc, mine2)
	fmt.Println(mine2, doc)
	// Output: [5,"!"] Hello!
}
