package literal

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 64

type kind uint8

const (
	kObject kind = iota
	kArray
	kString
	kNumber
	kBool
	kNull
	kWord // a bare identifier: an enum name, NaN or Infinity
)

func (k kind) String() string {
	return [...]string{"an object", "an array", "a string", "a number", "a boolean", "null", "a bare word"}[k]
}

// node is one parsed JavaScript value.
type node struct {
	kind   kind
	pos    int    // byte offset of the value's first character
	text   string // string contents, number or word as written
	raw    []byte // for strings: the bytes with \xHH taken as raw bytes
	bool   bool
	fields []member
	elems  []node
}

type member struct {
	key    string
	keyPos int
	val    node
}

// Error is a parse or mapping error at a byte offset of the input.
type Error struct {
	Offset int
	Msg    string
}

func (e *Error) Error() string { return fmt.Sprintf("column %d: %s", e.Offset+1, e.Msg) }

func errAt(pos int, format string, args ...any) error {
	return &Error{Offset: pos, Msg: fmt.Sprintf(format, args...)}
}

type parser struct {
	src string
	pos int
}

// parseValue reads a complete literal: one value, then only blanks and comments.
func parseSource(src string) (node, error) {
	p := &parser{src: src}
	if err := p.skip(); err != nil {
		return node{}, err
	}
	if p.pos == len(src) {
		return node{}, errAt(p.pos, "empty input: expected an object such as { ping: {} }")
	}
	n, err := p.value(0)
	if err != nil {
		return node{}, err
	}
	if err := p.skip(); err != nil {
		return node{}, err
	}
	if p.pos < len(src) {
		return node{}, errAt(p.pos, "unexpected %s after the end of the literal", p.describe())
	}
	return n, nil
}

// skip passes blanks and comments.
func (p *parser) skip() error {
	for p.pos < len(p.src) {
		switch c := p.src[p.pos]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			p.pos++
		case strings.HasPrefix(p.src[p.pos:], "//"):
			if i := strings.IndexByte(p.src[p.pos:], '\n'); i >= 0 {
				p.pos += i + 1
			} else {
				p.pos = len(p.src)
			}
		case strings.HasPrefix(p.src[p.pos:], "/*"):
			i := strings.Index(p.src[p.pos+2:], "*/")
			if i < 0 {
				return errAt(p.pos, "unterminated /* comment")
			}
			p.pos += i + 4
		default:
			return nil
		}
	}
	return nil
}

// describe names what is at the current position, for error messages.
func (p *parser) describe() string {
	if p.pos >= len(p.src) {
		return "end of input"
	}
	r, _ := utf8.DecodeRuneInString(p.src[p.pos:])
	return strconv.QuoteRune(r)
}

func (p *parser) value(depth int) (node, error) {
	if depth > maxDepth {
		return node{}, errAt(p.pos, "nested deeper than %d levels", maxDepth)
	}
	if p.pos >= len(p.src) {
		return node{}, errAt(p.pos, "expected a value, found end of input")
	}
	start := p.pos
	switch c := p.src[p.pos]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"' || c == '\'' || c == '`':
		s, raw, err := p.str()
		return node{kind: kString, pos: start, text: s, raw: raw}, err
	case c == '-' || c == '+' || c == '.' || isDigit(c):
		return p.number()
	case isIdentStart(c):
		w := p.ident()
		switch w {
		case "true", "false":
			return node{kind: kBool, pos: start, bool: w == "true", text: w}, nil
		case "null", "undefined":
			return node{kind: kNull, pos: start, text: w}, nil
		}
		return node{kind: kWord, pos: start, text: w}, nil
	}
	return node{}, errAt(p.pos, "expected a value, found %s", p.describe())
}

func (p *parser) object(depth int) (node, error) {
	n := node{kind: kObject, pos: p.pos}
	p.pos++ // {
	seen := map[string]int{}
	for {
		if err := p.skip(); err != nil {
			return n, err
		}
		if p.pos < len(p.src) && p.src[p.pos] == '}' {
			p.pos++
			return n, nil
		}
		keyPos := p.pos
		key, err := p.key()
		if err != nil {
			return n, err
		}
		if prev, dup := seen[key]; dup {
			return n, errAt(keyPos, "key %q given twice (first at column %d)", key, prev+1)
		}
		seen[key] = keyPos
		if err := p.skip(); err != nil {
			return n, err
		}
		if p.pos >= len(p.src) || p.src[p.pos] != ':' {
			return n, errAt(p.pos, "expected ':' after key %q, found %s", key, p.describe())
		}
		p.pos++
		if err := p.skip(); err != nil {
			return n, err
		}
		v, err := p.value(depth + 1)
		if err != nil {
			return n, err
		}
		n.fields = append(n.fields, member{key: key, keyPos: keyPos, val: v})
		if err := p.skip(); err != nil {
			return n, err
		}
		switch {
		case p.pos < len(p.src) && p.src[p.pos] == ',':
			p.pos++
		case p.pos < len(p.src) && p.src[p.pos] == '}':
		default:
			return n, errAt(p.pos, "expected ',' or '}' after the value of %q, found %s", key, p.describe())
		}
	}
}

func (p *parser) key() (string, error) {
	if p.pos >= len(p.src) {
		return "", errAt(p.pos, "expected a key or '}', found end of input")
	}
	switch c := p.src[p.pos]; {
	case c == '"' || c == '\'' || c == '`':
		s, _, err := p.str()
		return s, err
	case isIdentStart(c):
		return p.ident(), nil
	case isDigit(c):
		start := p.pos
		for p.pos < len(p.src) && isDigit(p.src[p.pos]) {
			p.pos++
		}
		return p.src[start:p.pos], nil
	}
	return "", errAt(p.pos, "expected a key or '}', found %s", p.describe())
}

func (p *parser) array(depth int) (node, error) {
	n := node{kind: kArray, pos: p.pos}
	p.pos++ // [
	for {
		if err := p.skip(); err != nil {
			return n, err
		}
		if p.pos < len(p.src) && p.src[p.pos] == ']' {
			p.pos++
			return n, nil
		}
		v, err := p.value(depth + 1)
		if err != nil {
			return n, err
		}
		n.elems = append(n.elems, v)
		if err := p.skip(); err != nil {
			return n, err
		}
		switch {
		case p.pos < len(p.src) && p.src[p.pos] == ',':
			p.pos++
		case p.pos < len(p.src) && p.src[p.pos] == ']':
		default:
			return n, errAt(p.pos, "expected ',' or ']' in the array, found %s", p.describe())
		}
	}
}

func (p *parser) number() (node, error) {
	start := p.pos
	if c := p.src[p.pos]; c == '+' || c == '-' {
		p.pos++
	}
	rest := p.src[p.pos:]
	switch {
	case strings.HasPrefix(rest, "Infinity"):
		p.pos += len("Infinity")
	case strings.HasPrefix(rest, "0x") || strings.HasPrefix(rest, "0X"):
		p.pos += 2
		for p.pos < len(p.src) && isHex(p.src[p.pos]) {
			p.pos++
		}
	default:
		p.digits()
		if p.pos < len(p.src) && p.src[p.pos] == '.' {
			p.pos++
			p.digits()
		}
		if p.pos < len(p.src) && p.src[p.pos]|0x20 == 'e' {
			p.pos++
			if p.pos < len(p.src) && (p.src[p.pos] == '+' || p.src[p.pos] == '-') {
				p.pos++
			}
			p.digits()
		}
	}
	for p.pos < len(p.src) && (isIdentPart(p.src[p.pos]) || p.src[p.pos] == '.') {
		p.pos++ // swallow the rest of a bad token so the error shows all of it
	}
	text := p.src[start:p.pos]
	if _, ok := numberValue(text); !ok {
		return node{}, errAt(start, "%q is not a number", text)
	}
	return node{kind: kNumber, pos: start, text: text}, nil
}

func (p *parser) digits() {
	for p.pos < len(p.src) && isDigit(p.src[p.pos]) {
		p.pos++
	}
}

// numberValue reads a JavaScript number literal as a float64.
func numberValue(text string) (float64, bool) {
	sign, body := 1.0, text
	if body != "" && (body[0] == '+' || body[0] == '-') {
		if body[0] == '-' {
			sign = -1
		}
		body = body[1:]
	}
	switch {
	case body == "Infinity":
		return sign * math.Inf(1), true
	case len(body) > 2 && body[0] == '0' && body[1]|0x20 == 'x':
		u, err := strconv.ParseUint(body[2:], 16, 64)
		return sign * float64(u), err == nil
	case body == "" || body == "." || !isDigit(body[0]) && body[0] != '.':
		return 0, false
	case strings.ContainsAny(body, "_xXpPiInN"):
		return 0, false // ParseFloat accepts these; JavaScript does not
	}
	f, err := strconv.ParseFloat(body, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, false
	}
	return sign * f, true
}

func (p *parser) ident() string {
	start := p.pos
	for p.pos < len(p.src) && isIdentPart(p.src[p.pos]) {
		p.pos++
	}
	return p.src[start:p.pos]
}

func isDigit(c byte) bool      { return '0' <= c && c <= '9' }
func isHex(c byte) bool        { return isDigit(c) || 'a' <= c|0x20 && c|0x20 <= 'f' }
func isIdentStart(c byte) bool { return c == '_' || c == '$' || 'a' <= c|0x20 && c|0x20 <= 'z' }
func isIdentPart(c byte) bool  { return isIdentStart(c) || isDigit(c) }
