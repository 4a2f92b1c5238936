package ato

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	vm "github.com/vmihailenco/msgpack/v5"
)

// The requests are encoded with an independent msgpack implementation.
func enc(t testing.TB, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	e := vm.NewEncoder(&buf)
	e.SetSortMapKeys(true)
	if err := e.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func full() map[string]any {
	return map[string]any{
		"language": "c_gcc", "code": []byte(`main(){printf("%d",a);}`), "input": "",
		"options": []any{"-Da=42"}, "arguments": []any{}, "timeout": 60,
	}
}

func with(m map[string]any, kv ...any) map[string]any {
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil && kv[i] != "timeout" {
			delete(m, kv[i].(string))
		} else {
			m[kv[i].(string)] = kv[i+1]
		}
	}
	return m
}

func TestDecodeValid(t *testing.T) {
	req, err := decodeRequest(enc(t, full()))
	if err != nil {
		t.Fatal(err)
	}
	if req.language != "c_gcc" || string(req.code) != `main(){printf("%d",a);}` || len(req.input) != 0 ||
		len(req.options) != 1 || string(req.options[0]) != "-Da=42" || len(req.arguments) != 0 || req.timeout != 60 {
		t.Errorf("decoded %+v", req)
	}
	// Only language and code are required; timeout defaults to 60.
	req, err = decodeRequest(enc(t, map[string]any{"language": "python", "code": "print(1)"}))
	if err != nil || req.timeout != 60 || req.input != nil || req.options != nil {
		t.Errorf("minimal request: %+v, %v", req, err)
	}
	// Strings, bins and arrays of byte values are all bytes; any
	// integer width is a timeout; unknown fields are skipped.
	for _, input := range []any{"bytes", []byte("bytes"), []any{98, 121, 116, 101, 115}, []uint8{98, 121, 116, 101, 115}} {
		m := with(full(), "input", input, "timeout", int64(7), "extra", map[string]any{"x": []any{1.5, nil}})
		req, err := decodeRequest(enc(t, m))
		if err != nil || string(req.input) != "bytes" || req.timeout != 7 {
			t.Errorf("input %#v: %q %d %v", input, req.input, req.timeout, err)
		}
	}
	req, err = decodeRequest(enc(t, with(full(), "options", []any{[]byte("-O2"), "-g", []any{45, 87}})))
	if err != nil || len(req.options) != 3 || string(req.options[2]) != "-W" {
		t.Errorf("mixed options: %q %v", req.options, err)
	}
	req, err = decodeRequest(enc(t, with(full(), "custom_runner", "echo hi")))
	if err != nil || !req.hasCustomRunner {
		t.Errorf("custom_runner: %v", err)
	}
	if !bytes.Equal(kill, enc(t, "Kill")) {
		t.Errorf("kill is % x", kill)
	}
}

func TestDecodeInvalid(t *testing.T) {
	cases := []struct {
		name string
		msg  []byte
		want string // the detail, or its start when it ends in "*"
	}{
		{"timeout as a string", enc(t, with(full(), "timeout", "60")), "field `timeout`: invalid type: string, expected an integer"},
		{"timeout as a float", enc(t, with(full(), "timeout", 60.0)), "field `timeout`: invalid type: float, expected an integer"},
		{"timeout nil", enc(t, with(full(), "timeout", nil)), "field `timeout`: invalid type: nil, expected an integer"},
		{"timeout in an array", enc(t, with(full(), "timeout", []any{60})), "field `timeout`: invalid type: array, expected an integer"},
		{"no language", enc(t, with(full(), "language", nil)), "missing field `language`"},
		{"no code", enc(t, with(full(), "code", nil)), "missing field `code`"},
		{"language as a number", enc(t, with(full(), "language", 5)), "field `language`: invalid type: integer, expected binary data or a string"},
		{"language not UTF-8", enc(t, with(full(), "language", []byte{0xff})), "field `language`: language is not valid UTF-8"},
		{"options not an array", enc(t, with(full(), "options", "-O")), "field `options`: invalid type: string, expected an array"},
		{"an option a map", enc(t, with(full(), "options", []any{map[string]any{}})), "field `options`: item 0: invalid type: map, expected binary data, a string or an array of bytes"},
		{"a byte out of range", enc(t, with(full(), "code", []any{1, 256})), "field `code`: byte 1: 256 is not between 0 and 255"},
		{"a byte negative", enc(t, with(full(), "code", []any{-1})), "field `code`: byte 0: -1 is not between 0 and 255"},
		{"not a map", enc(t, []any{"c_gcc"}), "invalid type: array, expected a map"},
		{"zeros", make([]byte, maxMessage), "invalid type: integer, expected a map"},
		{"text", []byte("not a valid msgpack message!"), "invalid type: integer, expected a map"},
		{"the unused byte", []byte{0xc1}, "invalid byte 0xc1 at offset 0"},
		{"a key not a string", enc(t, map[int]int{1: 2}), "invalid type: integer, expected a field name (a string)"},
		{"duplicate", append(append([]byte{0x83}, enc(t, "language")[:]...), append(append(enc(t, "x"), enc(t, "code")...), append(enc(t, "y"), append(enc(t, "language"), enc(t, "z")...)...)...)...), "duplicate field `language`"},
		{"trailing bytes", append(enc(t, full()), "extra junk"...), "found extra data"},
		{"empty", nil, "unexpected end of data*"},
	}
	for _, c := range cases {
		_, err := decodeRequest(c.msg)
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		de, ok := err.(*decodeError)
		if !ok {
			t.Errorf("%s: %T %v", c.name, err, err)
			continue
		}
		if want, prefix := strings.CutSuffix(c.want, "*"); (prefix && !strings.HasPrefix(de.detail, want)) || (!prefix && de.detail != want) {
			t.Errorf("%s: %q, want %q", c.name, de.detail, c.want)
		}
	}
	// Every cut of a valid request is incomplete, never a panic or a
	// success (a split request is two messages, each judged alone).
	msg := enc(t, full())
	for i := range len(msg) {
		if _, err := decodeRequest(msg[:i]); err == nil {
			t.Errorf("the first %d of %d bytes were accepted", i, len(msg))
		}
	}
}

func TestReasons(t *testing.T) {
	cases := []struct {
		e    *closeError
		code int
		want string
	}{
		{v1.notBinary(), 1003, "expected a binary message"},
		{v0.notBinary(), 1003, "unexpected message type"},
		{v1.tooBig(65537), 1009, "received message of size 65537, greater than size limit 65536"},
		{v0.tooBig(65537), 1009, "request too large"},
		{v1.badTimeout(61), 1008, "invalid request: timeout not in range 1-60: 61"},
		{v1.badTimeout(-4), 1008, "invalid request: timeout not in range 1-60: -4"},
		{v0.badTimeout(0), 1008, "timeout not in range (0, 60]"},
		{v1.nulByte(), 1008, "invalid request: argument contains null byte"},
		{v0.nulByte(), 1008, "argument contains null byte"},
		{v1.noLanguage("ZSH", false), 1008, "invalid request: no such language: ZSH"},
		{v0.noLanguage("ZSH", false), 1008, "no such language"},
		{v1.invalid("found extra data"), 1008, "invalid request: found extra data"},
		{v0.invalid("found extra data"), 1008, "bad request: found extra data"},
		{v1.internal(), 1011, "internal error"},
	}
	for _, c := range cases {
		if int(c.e.code) != c.code || c.e.reason != c.want {
			t.Errorf("%d %q, want %d %q", c.e.code, c.e.reason, c.code, c.want)
		}
	}
}

func TestFit(t *testing.T) {
	long := v1.noLanguage(strings.Repeat("é", 100), false).reason
	got := fit(long)
	if len(got) > maxReason || !utf8.ValidString(got) || !strings.HasSuffix(got, "…") || !strings.HasPrefix(got, "invalid request: no such language: éé") {
		t.Errorf("fit: %q (%d bytes)", got, len(got))
	}
	if got := fit("ok \xff"); got != "ok \uFFFD" {
		t.Errorf("fit of invalid UTF-8: %q", got)
	}
	if got := fit("short"); got != "short" {
		t.Errorf("fit changed %q", got)
	}
}

// FuzzDecodeRequest feeds arbitrary messages to the decoder, whole and
// with a byte cut off: it never panics, and what it accepts the
// independent decoder reads as one map with the same language and code.
func FuzzDecodeRequest(f *testing.F) {
	f.Add(enc(f, full()))
	f.Add(enc(f, map[string]any{"language": "python", "code": "print(1)"}))
	f.Add(enc(f, with(full(), "input", []any{1, 2, 3}, "timeout", uint64(1<<63))))
	f.Add(append(enc(f, full()), 0))
	f.Add(enc(f, "Kill"))
	f.Add([]byte{0xdf, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, msg []byte) {
		if len(msg) > 0 {
			decodeRequest(msg[:len(msg)-1])
		}
		req, err := decodeRequest(msg)
		if err != nil {
			if _, ok := err.(*decodeError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if fit(v1.invalid(err.Error()).reason) == "" {
				t.Fatal("empty reason")
			}
			return
		}
		var m map[string]any
		if err := vm.Unmarshal(msg, &m); err != nil {
			return // they are stricter about keys we skip (e.g. ext types); fine
		}
		lang, _ := m["language"].(string)
		if b, ok := m["language"].([]byte); ok {
			lang = string(b)
		}
		if lang != req.language {
			t.Fatalf("language %q, they read %q", req.language, lang)
		}
	})
}
