package msgpack

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	vm "github.com/vmihailenco/msgpack/v5"
)

// The tests hold this package against an independent implementation,
// github.com/vmihailenco/msgpack/v5.

func vmEncode(t testing.TB, v any) []byte {
	t.Helper()
	b, err := vm.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestIntsBothWays(t *testing.T) {
	vals := []int64{0, 1, 31, 127, 128, 255, 256, 65535, 65536, math.MaxUint32, math.MaxUint32 + 1, math.MaxInt64,
		-1, -32, -33, -128, -129, -32768, -32769, math.MinInt32, math.MinInt32 - 1, math.MinInt64}
	for _, v := range vals {
		// Ours → theirs.
		var got int64
		if err := vm.Unmarshal(AppendInt(nil, v), &got); err != nil || got != v {
			t.Errorf("AppendInt(%d) decodes to %d, %v", v, got, err)
		}
		// Theirs, in every width they choose → ours.
		for _, enc := range [][]byte{vmEncode(t, v), vmEncode(t, int8(v)), vmEncode(t, int16(v)), vmEncode(t, int32(v))} {
			want := v
			var x any
			_ = vm.Unmarshal(enc, &x)
			switch x := x.(type) {
			case int8:
				want = int64(x)
			case int16:
				want = int64(x)
			case int32:
				want = int64(x)
			case int64:
				want = x
			case uint8:
				want = int64(x)
			case uint16:
				want = int64(x)
			case uint32:
				want = int64(x)
			case uint64:
				want = int64(x)
			}
			r := NewReader(enc)
			got, err := r.Int()
			if err != nil || got != want || r.Len() != 0 {
				t.Errorf("Int(% x) = %d, %v (left %d); want %d", enc, got, err, r.Len(), want)
			}
		}
	}
	// The shortest form, as every implementation writes it.
	for v, want := range map[int64]int{0: 1, 127: 1, 128: 2, -32: 1, -33: 2, 65535: 3, -32769: 5, math.MaxInt64: 9} {
		if n := len(AppendInt(nil, v)); n != want {
			t.Errorf("AppendInt(%d) is %d bytes, want %d", v, n, want)
		}
	}
	var u uint64 = math.MaxUint64
	if _, err := NewReader(vmEncode(t, u)).Int(); err == nil {
		t.Error("Int accepted 2^64-1")
	}
	if got := AppendUint(nil, u); !bytes.Equal(got, vmEncode(t, u)) {
		t.Errorf("AppendUint(max) = % x", got)
	}
}

func TestStringsAndBytes(t *testing.T) {
	for _, n := range []int{0, 1, 31, 32, 255, 256, 65535, 65536, 70000} {
		s := strings.Repeat("é", n/2) + strings.Repeat("x", n%2)
		var gotS string
		if err := vm.Unmarshal(AppendString(nil, s), &gotS); err != nil || gotS != s {
			t.Errorf("AppendString(len %d) decodes wrongly: %v", len(s), err)
		}
		r := NewReader(vmEncode(t, s))
		if got, err := r.String(); err != nil || got != s || r.Len() != 0 {
			t.Errorf("String(len %d): %v", len(s), err)
		}
		p := []byte(s)
		var gotB []byte
		if err := vm.Unmarshal(AppendBytes(nil, p), &gotB); err != nil || !bytes.Equal(gotB, p) {
			t.Errorf("AppendBytes(len %d) decodes wrongly: %v", len(p), err)
		}
		// Bytes takes both bin and str.
		for _, enc := range [][]byte{vmEncode(t, p), vmEncode(t, s)} {
			r := NewReader(enc)
			if got, err := r.Bytes(); err != nil || !bytes.Equal(got, p) || r.Len() != 0 {
				t.Errorf("Bytes(len %d) from % x…: %v", len(p), enc[:1], err)
			}
		}
	}
	if _, err := NewReader(vmEncode(t, []byte("x"))).String(); !isTypeError(err, Bin) {
		t.Errorf("String of a bin: %v", err)
	}
}

func isTypeError(err error, got Type) bool {
	var te *TypeError
	return errors.As(err, &te) && te.Got == got
}

func TestHeaders(t *testing.T) {
	for _, n := range []int{0, 15, 16, 65535, 65536} {
		arr := make([]int, n)
		m := make(map[string]int, n)
		for i := range n {
			m[strings.Repeat("k", i%3)+string(rune('a'+i%26))+string(rune(i))] = i
		}
		for _, c := range []struct {
			enc  []byte
			read func(*Reader) (int, error)
			mine []byte
		}{
			{vmEncode(t, arr), (*Reader).ArrayHeader, AppendArrayHeader(nil, n)},
			{vmEncode(t, m), (*Reader).MapHeader, AppendMapHeader(nil, len(m))},
		} {
			r := NewReader(c.enc)
			got, err := c.read(r)
			if err != nil || (got != n && got != len(m)) {
				t.Errorf("header for %d: %d, %v", n, got, err)
			}
			if !bytes.HasPrefix(c.enc, c.mine) {
				t.Errorf("header for %d: ours % x, theirs % x", n, c.mine, c.enc[:len(c.mine)])
			}
		}
	}
}

func TestSkipWalksEveryKind(t *testing.T) {
	v := map[string]any{
		"nil": nil, "t": true, "f": false, "i": -5, "u": uint64(1 << 40), "f32": float32(1.5), "f64": 2.5,
		"s": "str", "b": []byte{1, 2}, "a": []any{1, "x", []any{nil, map[string]any{"deep": []byte("y")}}},
		"time": time.Unix(1700000000, 5), "big": strings.Repeat("z", 300),
	}
	enc := append(vmEncode(t, v), 0x2a) // one more value after the map
	r := NewReader(enc)
	if err := r.Skip(); err != nil {
		t.Fatal(err)
	}
	if r.Len() != 1 {
		t.Fatalf("Skip left %d bytes, want 1", r.Len())
	}
}

func TestMalformed(t *testing.T) {
	cases := map[string][]byte{
		"empty":                    {},
		"str header, no body":      {0xa5, 'a'},
		"str32 claims 4 GiB":       {0xdb, 0xff, 0xff, 0xff, 0xff, 'a'},
		"array32 claims 4G values": {0xdd, 0xff, 0xff, 0xff, 0xff, 0x01},
		"map16 claims 300 pairs":   {0xde, 0x01, 0x2c, 0x01, 0x01},
		"fixmap claims 3 pairs":    {0x83, 0x01},
		"the unused byte":          {0xc1},
		"uint32 cut":               {0xce, 0x00},
		"ext8 cut":                 {0xc7, 0x05, 0x01, 0x00},
		"nested too deep":          bytes.Repeat([]byte{0x91}, MaxDepth+1),
	}
	for name, in := range cases {
		if err := NewReader(in).Skip(); err == nil {
			t.Errorf("%s: Skip accepted % x", name, in)
		}
	}
	if err := NewReader(append(bytes.Repeat([]byte{0x91}, MaxDepth), 0xc0)).Skip(); err != nil {
		t.Errorf("%d levels of nesting: %v", MaxDepth, err)
	}
}

// FuzzSkip checks that Skip never panics or reads past its input, and
// that when it accepts a value the independent decoder agrees on where
// that value ends.
func FuzzSkip(f *testing.F) {
	f.Add(vmEncode(f, map[string]any{"language": "python", "code": []byte("print(1)"), "options": []string{"-O"}, "timeout": 60}))
	f.Add(vmEncode(f, []any{1.5, nil, true, time.Unix(1, 0)}))
	f.Add([]byte{0xdf, 0, 0, 0, 1, 0xa1, 'k', 0xc4, 1, 0})
	f.Fuzz(func(t *testing.T, in []byte) {
		r := NewReader(in)
		err := r.Skip()
		if r.Offset() > len(in) {
			t.Fatalf("read %d of %d bytes", r.Offset(), len(in))
		}
		if err != nil {
			return
		}
		d := vm.NewDecoder(bytes.NewReader(in))
		if derr := d.Skip(); derr != nil {
			t.Fatalf("we took % x as one value, they say %v", in[:r.Offset()], derr)
		}
		if rest := d.Buffered(); rest != nil {
			var tail bytes.Buffer
			tail.ReadFrom(rest)
			if tail.Len() != r.Len() {
				t.Fatalf("we read %d bytes of % x, they read %d", r.Offset(), in, len(in)-tail.Len())
			}
		}
	})
}
