package storage

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Keys are stored escaped where the backend cannot hold them as they are
// (a control character in a file name, "../" in a path): each such rune
// becomes "__0x<hex>__". Text in a key that already reads as an escape is
// escaped too, so two keys never share a stored name. This is the layout
// gocloud.dev's drivers use, kept so that buckets they wrote read the same.

// escapeKey escapes the runes of key for which must returns true.
func escapeKey(key string, must func(r []rune, i int) bool) string {
	r := []rune(key)
	out, changed := escapeRunes(r, must, escapeAt)
	if !changed && utf8.ValidString(key) {
		return key
	}
	if unescapeKey(out) != string(r) {
		// Text next to an escaped rune completed an escape sequence
		// ("__0x0" before an escaped "\x12" reads "__0x0__"): gocloud.dev
		// stored such keys wrongly. Escape every "__0x" instead.
		out, _ = escapeRunes(r, must, func(r []rune, i int) bool { return strings.HasPrefix(string(r[i:min(i+4, len(r))]), "__0x") })
	}
	return out
}

// escapeRunes escapes r[i] where must or also say so.
func escapeRunes(r []rune, must, also func(r []rune, i int) bool) (string, bool) {
	var b strings.Builder
	changed := false
	for i, c := range r {
		if must(r, i) || also(r, i) {
			fmt.Fprintf(&b, "__%#x__", c)
			changed = true
			continue
		}
		b.WriteRune(c)
	}
	return b.String(), changed
}

// escapeAt reports whether an escape sequence starts at r[i].
func escapeAt(r []rune, i int) bool {
	_, _, ok := parseEscape(r, i)
	return ok
}

// parseEscape reads "__0x<hex>__" at r[i]: the rune it stands for and the
// index of its last rune.
func parseEscape(r []rune, i int) (rune, int, bool) {
	if i+5 > len(r) || string(r[i:i+4]) != "__0x" {
		return 0, 0, false
	}
	j := i + 4
	for j < len(r) && isHex(r[j]) {
		j++
	}
	if j == i+4 || j+2 > len(r) || r[j] != '_' || r[j+1] != '_' {
		return 0, 0, false
	}
	v, err := strconv.ParseInt(string(r[i+4:j]), 16, 32)
	if err != nil {
		return 0, 0, false
	}
	return rune(v), j + 1, true
}

func isHex(c rune) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// unescapeKey reverses escapeKey.
func unescapeKey(s string) string {
	if !strings.Contains(s, "__0x") {
		return s
	}
	r := []rune(s)
	var b strings.Builder
	for i := 0; i < len(r); i++ {
		if c, last, ok := parseEscape(r, i); ok {
			b.WriteRune(c)
			i = last
			continue
		}
		b.WriteRune(r[i])
	}
	return b.String()
}

// escapeDotDotSlash is the rule both backends share: control characters,
// and the "/" of "../", are escaped.
func escapeDotDotSlash(r []rune, i int) bool {
	c := r[i]
	return c < 32 || i > 1 && c == '/' && r[i-1] == '.' && r[i-2] == '.'
}
