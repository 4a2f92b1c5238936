package msgpack

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// MaxDepth is how deeply nested arrays and maps Skip walks into.
const MaxDepth = 64

// Type is the kind of a MessagePack value.
type Type uint8

// The value kinds. Int covers both signed and unsigned encodings.
const (
	Invalid Type = iota
	Nil
	Bool
	Int
	Float
	Str
	Bin
	Array
	Map
	Ext
)

func (t Type) String() string {
	switch t {
	case Nil:
		return "nil"
	case Bool:
		return "boolean"
	case Int:
		return "integer"
	case Float:
		return "float"
	case Str:
		return "string"
	case Bin:
		return "binary"
	case Array:
		return "array"
	case Map:
		return "map"
	case Ext:
		return "extension"
	}
	return "invalid byte"
}

// ErrShort is input that ends inside a value.
var ErrShort = errors.New("unexpected end of data")

// TypeError is a value of the wrong kind.
type TypeError struct {
	Got  Type
	Want string
}

func (e *TypeError) Error() string {
	return fmt.Sprintf("invalid type: %s, expected %s", e.Got, e.Want)
}

// TypeOf returns the kind of the value whose first byte is b.
func TypeOf(b byte) Type {
	switch {
	case b <= 0x7f || b >= 0xe0:
		return Int
	case b <= 0x8f:
		return Map
	case b <= 0x9f:
		return Array
	case b <= 0xbf:
		return Str
	}
	switch b {
	case 0xc0:
		return Nil
	case 0xc2, 0xc3:
		return Bool
	case 0xc4, 0xc5, 0xc6:
		return Bin
	case 0xc7, 0xc8, 0xc9, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8:
		return Ext
	case 0xca, 0xcb:
		return Float
	case 0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd1, 0xd2, 0xd3:
		return Int
	case 0xd9, 0xda, 0xdb:
		return Str
	case 0xdc, 0xdd:
		return Array
	case 0xde, 0xdf:
		return Map
	}
	return Invalid // 0xc1, never used
}

// Reader reads values from a byte slice.
type Reader struct {
	b   []byte
	off int
}

// NewReader reads from b; the strings and byte slices it returns share
// b's memory (Bytes) or copy it (String).
func NewReader(b []byte) *Reader { return &Reader{b: b} }

// Len is the number of bytes not read yet.
func (r *Reader) Len() int { return len(r.b) - r.off }

// Offset is the number of bytes read so far.
func (r *Reader) Offset() int { return r.off }

// Peek returns the kind of the next value without reading it.
func (r *Reader) Peek() (Type, error) {
	if r.off >= len(r.b) {
		return Invalid, ErrShort
	}
	t := TypeOf(r.b[r.off])
	if t == Invalid {
		return t, fmt.Errorf("invalid byte 0x%02x at offset %d", r.b[r.off], r.off)
	}
	return t, nil
}

func (r *Reader) take(n int) ([]byte, error) {
	if n < 0 || n > len(r.b)-r.off {
		return nil, ErrShort
	}
	p := r.b[r.off : r.off+n : r.off+n]
	r.off += n
	return p, nil
}

// uintN reads a big-endian unsigned integer of n bytes.
func (r *Reader) uintN(n int) (uint64, error) {
	p, err := r.take(n)
	if err != nil {
		return 0, err
	}
	var v uint64
	for _, c := range p {
		v = v<<8 | uint64(c)
	}
	return v, nil
}

// length reads a size field of n bytes and checks that at least
// size*min more bytes remain, so a lying header cannot make anyone
// allocate more than the input holds.
func (r *Reader) length(n, min int) (int, error) {
	v, err := r.uintN(n)
	if err != nil {
		return 0, err
	}
	if v > uint64(r.Len()/min) {
		return 0, ErrShort
	}
	return int(v), nil
}

func (r *Reader) want(t Type, want string) (byte, error) {
	got, err := r.Peek()
	if err != nil {
		return 0, err
	}
	if got != t {
		return 0, &TypeError{Got: got, Want: want}
	}
	c := r.b[r.off]
	r.off++
	return c, nil
}

// MapHeader reads the header of a map and returns its number of
// key/value pairs.
func (r *Reader) MapHeader() (int, error) {
	c, err := r.want(Map, "a map")
	if err != nil {
		return 0, err
	}
	switch c {
	case 0xde:
		return r.length(2, 2)
	case 0xdf:
		return r.length(4, 2)
	}
	n := int(c & 0x0f)
	if n*2 > r.Len() {
		return 0, ErrShort
	}
	return n, nil
}

// ArrayHeader reads the header of an array and returns its length.
func (r *Reader) ArrayHeader() (int, error) {
	c, err := r.want(Array, "an array")
	if err != nil {
		return 0, err
	}
	switch c {
	case 0xdc:
		return r.length(2, 1)
	case 0xdd:
		return r.length(4, 1)
	}
	n := int(c & 0x0f)
	if n > r.Len() {
		return 0, ErrShort
	}
	return n, nil
}

// strBody reads the body of a str whose first byte was c.
func (r *Reader) strBody(c byte) ([]byte, error) {
	switch c {
	case 0xd9:
		n, err := r.length(1, 1)
		if err != nil {
			return nil, err
		}
		return r.take(n)
	case 0xda:
		n, err := r.length(2, 1)
		if err != nil {
			return nil, err
		}
		return r.take(n)
	case 0xdb:
		n, err := r.length(4, 1)
		if err != nil {
			return nil, err
		}
		return r.take(n)
	}
	return r.take(int(c & 0x1f))
}

// binBody reads the body of a bin whose first byte was c.
func (r *Reader) binBody(c byte) ([]byte, error) {
	n, err := r.length(1<<(c-0xc4), 1)
	if err != nil {
		return nil, err
	}
	return r.take(n)
}

// String reads a str value.
func (r *Reader) String() (string, error) {
	c, err := r.want(Str, "a string")
	if err != nil {
		return "", err
	}
	p, err := r.strBody(c)
	return string(p), err
}

// Bytes reads a bin or str value. The slice shares the reader's input.
func (r *Reader) Bytes() ([]byte, error) {
	t, err := r.Peek()
	if err != nil {
		return nil, err
	}
	c := r.b[r.off]
	switch t {
	case Str:
		r.off++
		return r.strBody(c)
	case Bin:
		r.off++
		return r.binBody(c)
	}
	return nil, &TypeError{Got: t, Want: "binary data or a string"}
}

// Int reads an integer that fits in an int64.
func (r *Reader) Int() (int64, error) {
	c, err := r.want(Int, "an integer")
	if err != nil {
		return 0, err
	}
	switch {
	case c <= 0x7f:
		return int64(c), nil
	case c >= 0xe0:
		return int64(int8(c)), nil
	}
	switch c {
	case 0xcc, 0xcd, 0xce, 0xcf:
		v, err := r.uintN(1 << (c - 0xcc))
		if err != nil {
			return 0, err
		}
		if v > math.MaxInt64 {
			return 0, fmt.Errorf("integer %d out of range", v)
		}
		return int64(v), nil
	}
	n := 1 << (c - 0xd0) // 0xd0..0xd3: int8..int64
	v, err := r.uintN(n)
	if err != nil {
		return 0, err
	}
	shift := 64 - 8*n
	return int64(v<<shift) >> shift, nil
}

// Skip reads and discards one value of any kind.
func (r *Reader) Skip() error { return r.skip(0) }

func (r *Reader) skip(depth int) error {
	t, err := r.Peek()
	if err != nil {
		return err
	}
	c := r.b[r.off]
	switch t {
	case Nil, Bool:
		r.off++
		return nil
	case Int, Float:
		r.off++
		switch {
		case c <= 0x7f || c >= 0xe0:
			return nil
		case c == 0xca:
			_, err = r.take(4)
		case c == 0xcb:
			_, err = r.take(8)
		case c >= 0xcc && c <= 0xcf:
			_, err = r.take(1 << (c - 0xcc))
		default:
			_, err = r.take(1 << (c - 0xd0))
		}
		return err
	case Str:
		r.off++
		_, err = r.strBody(c)
		return err
	case Bin:
		r.off++
		_, err = r.binBody(c)
		return err
	case Ext:
		r.off++
		var n int
		switch c {
		case 0xc7, 0xc8, 0xc9:
			if n, err = r.length(1<<(c-0xc7), 1); err != nil {
				return err
			}
		default:
			n = 1 << (c - 0xd4)
		}
		_, err = r.take(1 + n) // the type byte, then the data
		return err
	}
	if depth >= MaxDepth {
		return fmt.Errorf("values nested more than %d deep", MaxDepth)
	}
	var n int
	if t == Array {
		n, err = r.ArrayHeader()
	} else {
		n, err = r.MapHeader()
		n *= 2
	}
	if err != nil {
		return err
	}
	for range n {
		if err := r.skip(depth + 1); err != nil {
			return err
		}
	}
	return nil
}

// be is the byte order of every multi-byte field.
var be = binary.BigEndian
