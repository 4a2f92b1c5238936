package ato

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/pid1/pid1/internal/msgpack"
)

// request is message 1: a msgpack map with string keys. Every field but
// language and code may be left out (v0 clients such as dyalog.run's send
// only language, code and timeout).
type request struct {
	language           string
	code, input        []byte
	options, arguments [][]byte
	timeout            int64 // seconds; defaultTimeout when absent
	customRunner       []byte
	hasCustomRunner    bool
}

const (
	defaultTimeout = 60
	maxTimeout     = 60
)

// kill is the v1 control message: the msgpack string "Kill".
var kill = msgpack.AppendString(nil, "Kill")

// decodeError is a message that is not a valid request; its text is the
// detail that follows "invalid request: " (v1) or "bad request: " (v0).
type decodeError struct{ detail string }

func (e *decodeError) Error() string { return e.detail }

// errExtraData is a valid request followed by more bytes.
var errExtraData = &decodeError{"found extra data"}

// decodeRequest parses message 1. The slices it returns share msg.
func decodeRequest(msg []byte) (request, error) {
	r := msgpack.NewReader(msg)
	req := request{timeout: defaultTimeout}
	n, err := r.MapHeader()
	if err != nil {
		return req, fail("", err)
	}
	seen := make(map[string]bool, 7)
	for range n {
		key, err := r.String()
		if err != nil {
			return req, fail("", fieldNameError(err))
		}
		switch key {
		case "language", "code", "input", "options", "arguments", "timeout", "custom_runner":
			if seen[key] {
				return req, &decodeError{fmt.Sprintf("duplicate field `%s`", key)}
			}
			seen[key] = true
		}
		switch key {
		case "language":
			var b []byte
			if b, err = r.Bytes(); err == nil && !utf8.Valid(b) {
				err = errors.New("language is not valid UTF-8")
			}
			req.language = string(b)
		case "code":
			req.code, err = binary(r)
		case "input":
			req.input, err = binary(r)
		case "custom_runner":
			req.customRunner, err = binary(r)
			req.hasCustomRunner = true
		case "options":
			req.options, err = binaries(r)
		case "arguments":
			req.arguments, err = binaries(r)
		case "timeout":
			req.timeout, err = r.Int()
		default: // unknown fields are ignored, as both ATO servers do
			err = r.Skip()
		}
		if err != nil {
			return req, fail(key, err)
		}
	}
	for _, key := range []string{"language", "code"} {
		if !seen[key] {
			return req, &decodeError{fmt.Sprintf("missing field `%s`", key)}
		}
	}
	if r.Len() > 0 {
		return req, errExtraData
	}
	return req, nil
}

// fail turns a msgpack error while reading field (or the map, for "")
// into a decodeError.
func fail(field string, err error) error {
	var de *decodeError
	if errors.As(err, &de) {
		return de
	}
	if errors.Is(err, msgpack.ErrShort) {
		return &decodeError{"unexpected end of data: the request is incomplete"}
	}
	if field == "" {
		return &decodeError{err.Error()}
	}
	return &decodeError{fmt.Sprintf("field `%s`: %v", field, err)}
}

func fieldNameError(err error) error {
	var te *msgpack.TypeError
	if errors.As(err, &te) {
		return &decodeError{fmt.Sprintf("invalid type: %s, expected a field name (a string)", te.Got)}
	}
	return err
}

// binary reads a value that stands for bytes: a bin, a str (its UTF-8),
// or an array of integers 0–255 (what serde takes for bytes).
func binary(r *msgpack.Reader) ([]byte, error) {
	t, err := r.Peek()
	if err != nil {
		return nil, err
	}
	if t != msgpack.Array {
		b, err := r.Bytes()
		if err != nil {
			return nil, &msgpack.TypeError{Got: t, Want: "binary data, a string or an array of bytes"}
		}
		return b, nil
	}
	n, err := r.ArrayHeader()
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, n)
	for i := range n {
		v, err := r.Int()
		if err != nil {
			return nil, fmt.Errorf("byte %d: %w", i, err)
		}
		if v < 0 || v > 255 {
			return nil, fmt.Errorf("byte %d: %d is not between 0 and 255", i, v)
		}
		out = append(out, byte(v))
	}
	return out, nil
}

// binaries reads an array of binary values.
func binaries(r *msgpack.Reader) ([][]byte, error) {
	n, err := r.ArrayHeader()
	if err != nil {
		return nil, err
	}
	out := make([][]byte, 0, n)
	for i := range n {
		b, err := binary(r)
		if err != nil {
			return nil, fmt.Errorf("item %d: %w", i, err)
		}
		out = append(out, b)
	}
	return out, nil
}

// hasNUL reports whether an option or argument holds a NUL byte, which no
// argv entry can.
func (req *request) hasNUL() bool {
	for _, list := range [][][]byte{req.options, req.arguments} {
		for _, a := range list {
			if bytes.IndexByte(a, 0) >= 0 {
				return true
			}
		}
	}
	return false
}

// strings converts an argv list.
func strs(list [][]byte) []string {
	out := make([]string, len(list))
	for i, b := range list {
		out[i] = string(b)
	}
	return out
}
