package literal

import (
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// str reads a quoted string at p.pos. It returns the text, where \xHH is
// the code point U+00HH as in JavaScript, and raw, where \xHH is the byte
// HH, which is how bytes fields take binary data.
func (p *parser) str() (text string, raw []byte, err error) {
	start := p.pos
	quote := p.src[p.pos]
	p.pos++
	var t strings.Builder
	var r []byte
	for {
		if p.pos >= len(p.src) {
			return "", nil, errAt(start, "unterminated string")
		}
		c := p.src[p.pos]
		switch {
		case c == quote:
			p.pos++
			return t.String(), r, nil
		case c == '\n' && quote != '`':
			return "", nil, errAt(start, "unterminated string (a newline inside quotes must be written \\n)")
		case c == '$' && quote == '`' && strings.HasPrefix(p.src[p.pos:], "${"):
			return "", nil, errAt(p.pos, "template substitutions ${...} are not supported")
		case c != '\\':
			t.WriteByte(c)
			r = append(r, c)
			p.pos++
			continue
		}
		escPos := p.pos
		p.pos++
		if p.pos >= len(p.src) {
			return "", nil, errAt(start, "unterminated string")
		}
		e := p.src[p.pos]
		p.pos++
		if simple, ok := simpleEscapes[e]; ok {
			if e == '0' && p.pos < len(p.src) && isDigit(p.src[p.pos]) {
				return "", nil, errAt(escPos, "octal escapes are not supported; use \\xHH")
			}
			t.WriteByte(simple)
			r = append(r, simple)
			continue
		}
		switch e {
		case '\n': // line continuation
		case 'x':
			v, ok := p.hex(2)
			if !ok {
				return "", nil, errAt(escPos, "\\x needs two hex digits")
			}
			t.WriteRune(rune(v))
			r = append(r, byte(v))
		case 'u':
			v, err := p.unicodeEscape(escPos)
			if err != nil {
				return "", nil, err
			}
			t.WriteRune(v)
			r = utf8.AppendRune(r, v)
		default:
			return "", nil, errAt(escPos, "unknown escape \\%c (write \\\\ for a backslash)", e)
		}
	}
}

var simpleEscapes = map[byte]byte{
	'n': '\n', 't': '\t', 'r': '\r', 'b': '\b', 'f': '\f', 'v': '\v', '0': 0,
	'\\': '\\', '\'': '\'', '"': '"', '`': '`', '/': '/',
}

// unicodeEscape reads the rest of \uXXXX (joining a surrogate pair) or \u{X...}.
func (p *parser) unicodeEscape(escPos int) (rune, error) {
	if p.pos < len(p.src) && p.src[p.pos] == '{' {
		end := strings.IndexByte(p.src[p.pos:], '}')
		if end < 2 {
			return 0, errAt(escPos, "\\u{...} needs hex digits and a closing brace")
		}
		v, err := strconv.ParseUint(p.src[p.pos+1:p.pos+end], 16, 32)
		if err != nil || v > utf8.MaxRune {
			return 0, errAt(escPos, "\\u{%s} is not a code point", p.src[p.pos+1:p.pos+end])
		}
		p.pos += end + 1
		return rune(v), nil
	}
	v, ok := p.hex(4)
	if !ok {
		return 0, errAt(escPos, "\\u needs four hex digits or {...}")
	}
	if utf16.IsSurrogate(rune(v)) && strings.HasPrefix(p.src[p.pos:], "\\u") {
		save := p.pos
		p.pos += 2
		if lo, ok := p.hex(4); ok {
			if pair := utf16.DecodeRune(rune(v), rune(lo)); pair != utf8.RuneError {
				return pair, nil
			}
		}
		p.pos = save
	}
	return rune(v), nil // a lone surrogate becomes U+FFFD when encoded
}

func (p *parser) hex(n int) (uint64, bool) {
	if p.pos+n > len(p.src) {
		return 0, false
	}
	v, err := strconv.ParseUint(p.src[p.pos:p.pos+n], 16, 32)
	if err != nil || strings.ContainsAny(p.src[p.pos:p.pos+n], "+-_") {
		return 0, false
	}
	p.pos += n
	return v, true
}
