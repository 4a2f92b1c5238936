package textot

import (
	"math"
	"strings"
	"unicode/utf8"
)

// builder accumulates an op in normal form.
type builder struct {
	out Op
	// A trailing insert is held back until a component of another kind
	// arrives, in case more inserts follow to merge with it. Merging goes
	// through a strings.Builder so that a long run of small inserts costs
	// linear time, not quadratic; a lone insert is never copied.
	ins     string
	insN    int
	inIns   bool
	merging bool
	merged  strings.Builder
}

func (b *builder) push(c Component) {
	if c.n <= 0 || (c.kind != KindSkip && c.kind != KindDelete && c.kind != KindInsert) {
		return
	}
	if c.kind == KindInsert {
		switch {
		case c.text == "":
		case !b.inIns:
			b.inIns, b.merging = true, false
			b.ins, b.insN = c.text, c.n
		default:
			if !b.merging {
				b.merging = true
				b.merged.Reset()
				b.merged.WriteString(b.ins)
			}
			b.merged.WriteString(c.text)
			b.insN += c.n
		}
		return
	}
	b.flushInsert()
	if last := len(b.out) - 1; last >= 0 && b.out[last].kind == c.kind {
		// Saturate rather than wrap, so that even an op Validate would
		// reject (Normalize does not validate) normalizes to positive
		// counts. Valid ops never come near.
		b.out[last].n += min(c.n, math.MaxInt-b.out[last].n)
		return
	}
	b.out = append(b.out, Component{kind: c.kind, n: c.n})
}

func (b *builder) flushInsert() {
	if !b.inIns {
		return
	}
	text := b.ins
	if b.merging {
		text = b.merged.String()
		// String shares the builder's memory; Reset makes the next merge
		// start a fresh buffer instead of writing into this one.
		b.merged.Reset()
	}
	b.out = append(b.out, Component{kind: KindInsert, n: b.insN, text: text})
	b.inIns, b.merging, b.ins = false, false, ""
}

// finish returns the op built so far, without a trailing skip and never nil
// (so that it encodes as [] in JSON).
func (b *builder) finish() Op {
	b.flushInsert()
	if last := len(b.out) - 1; last >= 0 && b.out[last].kind == KindSkip {
		b.out = b.out[:last]
	}
	if b.out == nil {
		b.out = Op{}
	}
	return b.out
}

// reader hands out an op piece by piece, splitting components where the
// caller asks. Past the end of the op it hands out skips, because an op
// keeps everything after its last component.
type reader struct {
	op Op
	i  int // index of the current component
	// off is how many code points of op[i] were already handed out, and
	// offB the same in bytes of its text when op[i] is an insert.
	off, offB int
}

func (r *reader) done() bool { return r.i >= len(r.op) }

// peekKind returns the kind of the current component, or 0 at the end.
func (r *reader) peekKind() Kind {
	if r.done() {
		return 0
	}
	return r.op[r.i].kind
}

// rest hands out what is left of the current component. It must not be
// called at the end.
func (r *reader) rest() Component {
	c := r.op[r.i]
	if r.off > 0 {
		if c.kind == KindInsert {
			c = Component{kind: KindInsert, n: c.n - r.off, text: c.text[r.offB:]}
		} else {
			c.n -= r.off
		}
	}
	r.i++
	r.off, r.offB = 0, 0
	return c
}

// take hands out at most n (> 0) code points of the current component, or
// a skip of n at the end. Components of kind whole are handed out entirely
// however long they are: transform never splits an insert and compose never
// splits a delete.
func (r *reader) take(n int, whole Kind) Component {
	if r.done() {
		return Skip(n)
	}
	c := r.op[r.i]
	if c.kind == whole || c.n-r.off <= n {
		return r.rest()
	}
	if c.kind == KindInsert {
		end := r.offB
		for range n {
			_, size := utf8.DecodeRuneInString(c.text[end:])
			end += size
		}
		part := Component{kind: KindInsert, n: n, text: c.text[r.offB:end]}
		r.off += n
		r.offB = end
		return part
	}
	r.off += n
	return Component{kind: c.kind, n: n}
}
