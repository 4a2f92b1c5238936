package textot

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pid1/pid1/api"
)

// fuzzReader turns fuzzer bytes into documents, ops and protobuf
// components. Running out of bytes yields zeros, so every input decodes.
type fuzzReader struct{ b []byte }

func (r *fuzzReader) byte() byte {
	if len(r.b) == 0 {
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

// count is mostly small, so that ops fit the documents, but sometimes zero,
// negative or huge.
func (r *fuzzReader) count() int {
	c := r.byte()
	switch {
	case c < 200:
		return int(c%16) + 1
	case c < 210:
		return 0
	case c < 220:
		return -int(c - 209)
	case c < 230:
		return MaxSpan - int(c-220)
	case c < 240:
		return math.MaxInt - int(c-230)
	}
	return int(r.byte())<<8 | int(r.byte())
}

// text returns up to max raw bytes, which need not be valid UTF-8.
func (r *fuzzReader) text(max int) string {
	n := min(int(r.byte())%(max+1), len(r.b))
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *fuzzReader) op() Op {
	var op Op
	for range r.byte() % 10 {
		switch r.byte() % 7 {
		case 0, 1:
			op = append(op, Skip(r.count()))
		case 2, 3:
			op = append(op, Insert(r.text(8)))
		case 4, 5:
			op = append(op, Delete(r.count()))
		default:
			op = append(op, Component{})
		}
	}
	return op
}

func (r *fuzzReader) proto() []*api.OTOpComponent {
	var pb []*api.OTOpComponent
	for range r.byte() % 8 {
		u := uint32(r.byte())
		if r.byte()%8 == 0 {
			u = math.MaxUint32 - u
		}
		switch r.byte() % 6 {
		case 0:
			pb = append(pb, pbSkip(u))
		case 1:
			pb = append(pb, pbDelete(u))
		case 2:
			pb = append(pb, pbInsert(r.text(8)))
		case 3:
			pb = append(pb, nil)
		case 4:
			pb = append(pb, &api.OTOpComponent{})
		default:
			pb = append(pb, &api.OTOpComponent{OpComponent: (*api.OTOpComponent_Insert)(nil)})
		}
	}
	return pb
}

// FuzzOp decodes arbitrary bytes into a document, ops, a side, a cursor
// and protobuf components, and checks that nothing panics, that invalid
// input is refused, and that accepted input keeps the properties the other
// tests check: normalizing changes nothing, a Doc agrees with Apply, TP1
// holds and composing equals applying in turn.
func FuzzOp(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x05hello\x03\x00\x03\x02\x02hi\x04\x02\x01\x00\x02\x02\x01x\x01"))
	f.Add([]byte("\x08h\xc3\xa9\xf0\x9f\x98\xad!\x04\x02\x04\xf0\x9f\x98\xad\x00\x01\x04\x01\x03\x02\x01\xc3\x02\x00\x05"))
	f.Add([]byte("[3,\"hi\",{\"d\":2}]"))
	f.Add([]byte("\x10abcdefghijklmnop\x09\x00\xdf\x04\xe3\x06\x06\x02\x00\xff\x01\x05\x00\xe9\x03\x05\x02\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// The bytes as JSON, the form ops arrive in from JavaScript.
		var jop Op
		if json.Unmarshal(data, &jop) == nil && Validate(jop) == nil {
			b, err := json.Marshal(jop)
			if err != nil {
				t.Fatalf("Marshal(%#v): %v", jop, err)
			}
			var back Op
			if err := json.Unmarshal(b, &back); err != nil || !equalOps(back, jop) {
				t.Fatalf("JSON round trip of %v gave %v, %v", jop, back, err)
			}
		}

		r := &fuzzReader{b: data}
		doc := r.text(64)
		a, b, c := r.op(), r.op(), r.op()
		side := Side(r.byte() % 3)
		pos := int(int8(r.byte()))
		pb := r.proto()

		if op, err := FromProto(pb); err == nil {
			if Validate(op) != nil {
				t.Fatalf("FromProto accepted %v, which Validate rejects", op)
			}
			back, err := ToProto(op)
			if err != nil {
				t.Fatalf("ToProto(%v) after FromProto: %v", op, err)
			}
			if again, err := FromProto(back); err != nil || !equalOps(again, op) {
				t.Fatalf("proto round trip of %v gave %v, %v", op, again, err)
			}
		}

		validA, validB, validC := Validate(a) == nil, Validate(b) == nil, Validate(c) == nil
		for _, op := range []Op{a, b, c} {
			norm := Normalize(op)
			if !isNormal(norm) {
				t.Fatalf("Normalize(%v) = %v is not normal", op, norm)
			}
			TransformPosition(pos, op)
			if Validate(op) == nil {
				if p, q := TransformPosition(pos, op), TransformPosition(pos, norm); p != q {
					t.Fatalf("TransformPosition(%d, %v) = %d, but %d when normalized", pos, op, p, q)
				}
			}
		}

		// Documents must be valid UTF-8: check the raw bytes are refused
		// when they are not, then go on with a repaired document.
		if !utf8.ValidString(doc) {
			if _, err := Apply(doc, a); err == nil {
				t.Fatalf("Apply accepted invalid UTF-8 document %q", doc)
			}
			if _, err := NewDoc(doc); !errors.Is(err, ErrInvalidUTF8) {
				t.Fatalf("NewDoc(%q) error %v, want ErrInvalidUTF8", doc, err)
			}
			doc = strings.ToValidUTF8(doc, "\ufffd")
		}

		docA, errA := Apply(doc, a)
		if errA == nil && !validA {
			t.Fatalf("Apply accepted invalid op %v", a)
		}
		if validA && errA != nil && !errors.Is(errA, ErrPastEnd) {
			t.Fatalf("Apply(%q, %v): unexpected error %v", doc, a, errA)
		}
		d, err := NewDoc(doc)
		if err != nil {
			t.Fatalf("NewDoc(%q): %v", doc, err)
		}
		errD := d.Apply(a)
		if (errA == nil) != (errD == nil) {
			t.Fatalf("Apply(%q, %v) error %v but Doc.Apply error %v", doc, a, errA, errD)
		}
		if errA == nil {
			if got, err := Apply(doc, Normalize(a)); err != nil || got != docA {
				t.Fatalf("Apply(%q, Normalize(%v)) = %q, %v; want %q", doc, a, got, err, docA)
			}
			if d.String() != docA || d.Len() != utf8.RuneCountInString(docA) {
				t.Fatalf("Doc.Apply(%q, %v) = %q; want %q", doc, a, d.String(), docA)
			}
		} else if d.String() != doc {
			t.Fatalf("failed Doc.Apply(%v) changed %q to %q", a, doc, d.String())
		}

		a2, err := Transform(a, b, side)
		if (err == nil) != (validA && validB && (side == Left || side == Right)) {
			t.Fatalf("Transform(%v, %v, %v) error %v", a, b, side, err)
		}
		if err == nil {
			// Past a history of b then c, TransformPast takes the same
			// steps as Transform one at a time.
			if validC {
				want, err := Transform(a2, c, side)
				got, err2 := TransformPast(a, []Op{b, c}, side)
				if err != nil || err2 != nil || got.String() != want.String() {
					t.Fatalf("TransformPast(%v, [%v %v], %v) = %v, %v; one at a time %v, %v", a, b, c, side, got, err2, want, err)
				}
			}
			if !isNormal(a2) {
				t.Fatalf("Transform(%v, %v, %v) = %v is not normal", a, b, side, a2)
			}
			other := Left
			if side == Left {
				other = Right
			}
			b2, err := Transform(b, a, other)
			if err != nil {
				t.Fatalf("Transform(%v, %v, %v): %v", b, a, other, err)
			}
			docB, errB := Apply(doc, b)
			if errA == nil && errB == nil {
				viaA, err1 := Apply(docA, b2)
				viaB, err2 := Apply(docB, a2)
				if err1 != nil || err2 != nil || viaA != viaB {
					t.Fatalf("TP1 fails: doc %q a %v b %v side %v: %q (%v) vs %q (%v)", doc, a, b, side, viaA, err1, viaB, err2)
				}
			}
		}

		ac, err := Compose(a, c)
		if (err == nil) != (validA && validC) {
			t.Fatalf("Compose(%v, %v) error %v", a, c, err)
		}
		if err == nil {
			if !isNormal(ac) {
				t.Fatalf("Compose(%v, %v) = %v is not normal", a, c, ac)
			}
			if errA == nil {
				if docAC, err := Apply(docA, c); err == nil {
					if got, err := Apply(doc, ac); err != nil || got != docAC {
						t.Fatalf("Compose: doc %q a %v c %v: apply(compose) = %q, %v; want %q", doc, a, c, got, err, docAC)
					}
				} else if !errors.Is(err, ErrPastEnd) {
					t.Fatalf("Apply(%q, %v): unexpected error %v", docA, c, err)
				}
			}
		}
	})
}
