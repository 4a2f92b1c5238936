package textot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// Kind is the kind of a [Component].
type Kind uint8

// The component kinds. The zero Kind marks the zero Component, which is not
// a valid component.
const (
	KindSkip Kind = iota + 1
	KindInsert
	KindDelete
)

// String returns "skip", "insert" or "delete".
func (k Kind) String() string {
	switch k {
	case KindSkip:
		return "skip"
	case KindInsert:
		return "insert"
	case KindDelete:
		return "delete"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Component is one step of an [Op]. Build components with [Skip], [Insert]
// and [Delete]; the zero Component is invalid. Components are comparable
// with ==.
type Component struct {
	kind Kind
	// n is the length in code points, cached for inserts because transform
	// and compose ask for it over and over.
	n    int
	text string
}

// Skip returns a component that keeps the next n code points.
func Skip(n int) Component { return Component{kind: KindSkip, n: n} }

// Delete returns a component that removes the next n code points.
func Delete(n int) Component { return Component{kind: KindDelete, n: n} }

// Insert returns a component that inserts s at the cursor.
func Insert(s string) Component {
	return Component{kind: KindInsert, n: utf8.RuneCountInString(s), text: s}
}

// Kind returns the component's kind, or 0 for the zero Component.
func (c Component) Kind() Kind { return c.kind }

// Len returns the number of code points the component skips, inserts or
// deletes.
func (c Component) Len() int { return c.n }

// Text returns the inserted text of an insert, and "" otherwise.
func (c Component) Text() string { return c.text }

// String returns the component in ot-text-unicode's JSON form, or a
// description if the component is invalid.
func (c Component) String() string {
	b, err := c.MarshalJSON()
	if err != nil {
		return fmt.Sprintf("invalid component (%v)", err)
	}
	return string(b)
}

// MarshalJSON encodes the component the way ot-text-unicode does: a skip
// is a number, an insert a string and a delete {"d": n}.
func (c Component) MarshalJSON() ([]byte, error) {
	switch c.kind {
	case KindSkip:
		return json.Marshal(c.n)
	case KindInsert:
		return json.Marshal(c.text)
	case KindDelete:
		return fmt.Appendf(nil, `{"d":%d}`, c.n), nil
	}
	return nil, ErrInvalidComponent
}

// UnmarshalJSON decodes ot-text-unicode's JSON form. A delete may also carry
// the deleted text ({"d": "abc"}), which ot-text-unicode produces for
// invertible ops; only its length is kept. Counts are not checked here: call
// [Validate] on the decoded op.
func (c *Component) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return fmt.Errorf("empty JSON component")
	}
	switch b[0] {
	case '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("insert: %w", err)
		}
		*c = Insert(s)
		return nil
	case '{':
		var d struct {
			D json.RawMessage `json:"d"`
		}
		if err := json.Unmarshal(b, &d); err != nil {
			return fmt.Errorf("delete: %w", err)
		}
		if len(d.D) == 0 {
			return fmt.Errorf("object component %s is not a delete ({\"d\": n})", b)
		}
		if d.D[0] == '"' {
			var s string
			if err := json.Unmarshal(d.D, &s); err != nil {
				return fmt.Errorf("delete: %w", err)
			}
			*c = Delete(utf8.RuneCountInString(s))
			return nil
		}
		n, err := jsonCount(d.D)
		if err != nil {
			return fmt.Errorf("delete: %w", err)
		}
		*c = Delete(n)
		return nil
	}
	n, err := jsonCount(b)
	if err != nil {
		return fmt.Errorf("skip: %w", err)
	}
	*c = Skip(n)
	return nil
}

// jsonCount decodes a JSON number that must be an integer within int range.
// JavaScript may spell a large integer with an exponent (1e+21), so a float
// form is accepted when it is integral and exactly representable.
func jsonCount(b []byte) (int, error) {
	if len(b) == 0 || (b[0] != '-' && (b[0] < '0' || b[0] > '9')) {
		return 0, fmt.Errorf("%s is not a number", b)
	}
	if n, err := strconv.ParseInt(string(b), 10, 0); err == nil {
		return int(n), nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 || f > math.MaxInt || f < math.MinInt {
		return 0, fmt.Errorf("count %s is not an integer in range", b)
	}
	return int(f), nil
}

// Op is an edit: a sequence of components applied from the start of the
// document. The empty op changes nothing.
type Op []Component

// MarshalJSON encodes the op as ot-text-unicode's JSON array; a nil op
// encodes as [] rather than null.
func (op Op) MarshalJSON() ([]byte, error) {
	if op == nil {
		return []byte("[]"), nil
	}
	return json.Marshal([]Component(op))
}

// String returns the op's JSON form, for logs and test failures.
func (op Op) String() string {
	b, err := op.MarshalJSON()
	if err != nil {
		return fmt.Sprintf("invalid op (%v)", err)
	}
	return string(b)
}
