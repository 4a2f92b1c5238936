package textot

import (
	"encoding/json"
	"testing"
)

func TestComponentAccessors(t *testing.T) {
	tests := []struct {
		c    Component
		kind Kind
		n    int
		text string
	}{
		{Skip(3), KindSkip, 3, ""},
		{Delete(2), KindDelete, 2, ""},
		{Insert("héllo"), KindInsert, 5, "héllo"},
		{Insert("中😭𝔸"), KindInsert, 3, "中😭𝔸"},
		{Component{}, 0, 0, ""},
	}
	for _, tt := range tests {
		if tt.c.Kind() != tt.kind || tt.c.Len() != tt.n || tt.c.Text() != tt.text {
			t.Errorf("%v: got (%v, %d, %q), want (%v, %d, %q)", tt.c, tt.c.Kind(), tt.c.Len(), tt.c.Text(), tt.kind, tt.n, tt.text)
		}
	}
	if got := (Component{}).String(); got == "" {
		t.Error("zero Component has an empty String")
	}
	if got := Kind(9).String(); got != "Kind(9)" {
		t.Errorf("Kind(9).String() = %q", got)
	}
}

func TestOpJSON(t *testing.T) {
	tests := []struct {
		op   Op
		json string
	}{
		{nil, `[]`},
		{Op{}, `[]`},
		{Op{Skip(3), Insert("hi"), Delete(2)}, `[3,"hi",{"d":2}]`},
		{Op{Insert("é中😭𝔸")}, `["é中😭𝔸"]`},
		{Op{Insert("<&>\u2028")}, `["\u003c\u0026\u003e\u2028"]`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(tt.op)
		if err != nil {
			t.Fatalf("Marshal(%#v): %v", tt.op, err)
		}
		if string(b) != tt.json {
			t.Errorf("Marshal(%#v) = %s, want %s", tt.op, b, tt.json)
		}
		var back Op
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("Unmarshal(%s): %v", b, err)
		}
		if len(tt.op) > 0 && !equalOps(back, tt.op) {
			t.Errorf("Unmarshal(%s) = %v, want %v", b, back, tt.op)
		}
	}
	if _, err := json.Marshal(Op{{}}); err == nil {
		t.Error("Marshal of the zero Component succeeded")
	}
}

func TestComponentUnmarshalJSON(t *testing.T) {
	good := map[string]Component{
		`5`:                Skip(5),
		` 7 `:              Skip(7),
		`0`:                Skip(0), // decodes; Validate rejects it
		`1e3`:              Skip(1000),
		`"x😭"`:             Insert("x😭"),
		`"\ud83d\ude2d"`:   Insert("😭"), // a surrogate pair as JSON escapes
		`{"d":4}`:          Delete(4),
		`{"d":"ab😭"}`:      Delete(3), // invertible form: only the length is kept
		`{"d":2,"x":true}`: Delete(2),
	}
	for in, want := range good {
		var c Component
		if err := json.Unmarshal([]byte(in), &c); err != nil {
			t.Errorf("Unmarshal(%s): %v", in, err)
			continue
		}
		if c != want {
			t.Errorf("Unmarshal(%s) = %v, want %v", in, c, want)
		}
	}
	for _, in := range []string{`null`, `true`, `[]`, `{}`, `{"d":null}`, `{"d":true}`, `1.5`, `1e300`, `-1e300`, `{"i":"x"}`, `""x`} {
		var c Component
		if err := json.Unmarshal([]byte(in), &c); err == nil {
			t.Errorf("Unmarshal(%s) = %v, want an error", in, c)
		}
	}
}

func equalOps(a, b Op) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
