package textot

import "fmt"

// Compose returns one op equivalent to applying a and then b, where b was
// made against the document a produces. The result is ot-text-unicode's
// compose(a, b) on the normalized inputs, in normal form.
//
// Ops do not record the length of their document, so Compose cannot check
// that b fits after a; Apply reports a mismatch when the result is used.
func Compose(a, b Op) (Op, error) {
	if err := Validate(a); err != nil {
		return nil, fmt.Errorf("first op: %w", err)
	}
	if err := Validate(b); err != nil {
		return nil, fmt.Errorf("second op: %w", err)
	}
	r := reader{op: normalized(a)}
	var out builder
	out.out = make(Op, 0, len(a)+len(b)+1)
	for _, c := range normalized(b) {
		switch c.kind {
		case KindSkip:
			// b keeps text of a's result: copy a's components over it.
			// a's deletes removed text b never saw, so they do not count
			// against the skip.
			for n := c.n; n > 0; {
				part := r.take(n, KindDelete)
				out.push(part)
				if part.kind != KindDelete {
					n -= part.n
				}
			}
		case KindInsert:
			out.push(c)
		case KindDelete:
			// b deletes text of a's result: text a kept becomes a delete,
			// text a inserted is simply never inserted, and a's own
			// deletes pass through.
			for n := c.n; n > 0; {
				part := r.take(n, KindDelete)
				switch part.kind {
				case KindSkip:
					out.push(Delete(part.n))
					n -= part.n
				case KindInsert:
					n -= part.n
				case KindDelete:
					out.push(part)
				}
			}
		}
	}
	for !r.done() {
		out.push(r.rest())
	}
	return out.finish(), nil
}
