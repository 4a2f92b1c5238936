package textot

import "fmt"

// Side breaks the tie when two ops insert at the same position.
type Side uint8

const (
	// Left: the op being transformed inserts first (it wins the tie).
	Left Side = iota + 1
	// Right: the other op's insert goes first.
	Right
)

// String returns "left" or "right", the spelling ot-text-unicode uses.
func (s Side) String() string {
	switch s {
	case Left:
		return "left"
	case Right:
		return "right"
	}
	return fmt.Sprintf("Side(%d)", uint8(s))
}

// Transform rewrites op, made against the same document as other, so that
// it applies after other and keeps its intent. side says whose insert goes
// first when both insert at the same position. Text deleted by both ops is
// deleted once, and text that op inserts inside a region other deleted
// survives, at the start of the hole.
//
// The result is ot-text-unicode's transform(op, other, side) on the
// normalized inputs, in normal form. A server lets committed ops win
// ties: it transforms an incoming op against each op committed since its
// base version with side Right, and a client transforms its pending op
// against an incoming committed op with Right and the committed op
// against its pending one with Left, so both converge (see the package
// documentation on histories).
func Transform(op, other Op, side Side) (Op, error) {
	if side != Left && side != Right {
		return nil, fmt.Errorf("%w (got %v)", ErrInvalidSide, side)
	}
	if err := Validate(op); err != nil {
		return nil, fmt.Errorf("op: %w", err)
	}
	if err := Validate(other); err != nil {
		return nil, fmt.Errorf("other op: %w", err)
	}
	var b builder
	b.out = make(Op, 0, len(op)+len(other)+1)
	transformInto(&b, normalized(op), normalized(other), side)
	return b.finish(), nil
}

// transformInto appends transform(op, other, side) to b; both ops must be
// valid and normalized.
func transformInto(b *builder, op, other Op, side Side) {
	r := reader{op: op}
	for _, c := range other {
		switch c.kind {
		case KindSkip:
			// Text both ops keep: copy op's components over it. op's
			// inserts take no room in the old text, so only the others
			// count against the skip.
			for n := c.n; n > 0; {
				part := r.take(n, KindInsert)
				b.push(part)
				if part.kind != KindInsert {
					n -= part.n
				}
			}
		case KindInsert:
			// Only an insert of op at exactly this position competes with
			// other's insert; Left puts it first.
			if side == Left && r.peekKind() == KindInsert {
				b.push(r.rest())
			}
			b.push(Skip(c.n))
		case KindDelete:
			// Text other deleted: op's skips and deletes over it vanish,
			// its inserts survive.
			for n := c.n; n > 0; {
				part := r.take(n, KindInsert)
				if part.kind == KindInsert {
					b.push(part)
				} else {
					n -= part.n
				}
			}
		}
	}
	for !r.done() {
		b.push(r.rest())
	}
}

// TransformPast transforms op, made against a document's version v, past
// the ops committed after v, one at a time, as a server does: each step is
// Transform(op, history[i], side), and the result is the same. It checks
// every op and reuses two buffers across the steps, so a long history
// costs no allocation per step.
func TransformPast(op Op, history []Op, side Side) (Op, error) {
	if side != Left && side != Right {
		return nil, fmt.Errorf("%w (got %v)", ErrInvalidSide, side)
	}
	if err := Validate(op); err != nil {
		return nil, fmt.Errorf("op: %w", err)
	}
	if len(history) == 0 {
		return op, nil
	}
	cur := normalized(op)
	var bufs [2]builder
	for i, h := range history {
		if err := Validate(h); err != nil {
			return nil, fmt.Errorf("history op %d: %w", i, err)
		}
		b := &bufs[i%2]
		b.out = b.out[:0]
		transformInto(b, cur, normalized(h), side)
		cur = b.finish()
	}
	return append(make(Op, 0, len(cur)), cur...), nil
}
