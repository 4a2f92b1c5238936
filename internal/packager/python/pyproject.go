package python

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// renderPyproject is text with [project] dependencies set to reqs. Only
// the dependencies array is rewritten (in its own style: on one line, or
// one requirement a line); a missing one is added after the [project]
// header. The result is read back and must hold exactly reqs, or nothing
// is written.
func renderPyproject(text string, reqs []string) (string, error) {
	var out string
	start, end, found, err := dependenciesSpan(text)
	if err != nil {
		return "", err
	}
	if found {
		out = text[:start] + renderArray(text[start:end], reqs) + text[end:]
	} else {
		loc := projectHeaderRE.FindStringIndex(text)
		if loc == nil {
			return "", fmt.Errorf("pyproject.toml has no [project] table")
		}
		eol := strings.IndexByte(text[loc[1]:], '\n')
		at := len(text)
		if eol >= 0 {
			at = loc[1] + eol + 1
		}
		line := "dependencies = " + renderArray("[]", reqs) + "\n"
		if at == len(text) && !strings.HasSuffix(text, "\n") {
			line = "\n" + line
		}
		out = text[:at] + line + text[at:]
	}
	got, err := projectDependencies(out)
	if err != nil || !slices.Equal(got, reqs) {
		return "", fmt.Errorf("pyproject.toml: cannot change [project] dependencies without rewriting the file (is it written as a dotted key or inline table?); edit it by hand")
	}
	return out, nil
}

// renderArray writes reqs as a TOML array in the style of old.
func renderArray(old string, reqs []string) string {
	quoted := make([]string, len(reqs))
	for i, r := range reqs {
		quoted[i] = strconv.Quote(r)
	}
	if !strings.Contains(old, "\n") || len(reqs) == 0 {
		return "[" + strings.Join(quoted, ", ") + "]"
	}
	indent := "    "
	if m := regexp.MustCompile(`\n([ \t]+)\S`).FindStringSubmatch(old); m != nil {
		indent = m[1]
	}
	var b strings.Builder
	b.WriteString("[\n")
	for _, q := range quoted {
		b.WriteString(indent + q + ",\n")
	}
	b.WriteString("]")
	return b.String()
}

var (
	tableRE = regexp.MustCompile(`^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$`)
	depsRE  = regexp.MustCompile(`^\s*dependencies\s*=\s*`)
)

// dependenciesSpan finds the value of dependencies in the [project]
// table: the offsets of its array's [ and just past its ].
func dependenciesSpan(text string) (start, end int, found bool, err error) {
	table := ""
	off := 0
	for off < len(text) {
		eol := strings.IndexByte(text[off:], '\n')
		line := text[off:]
		if eol >= 0 {
			line = text[off : off+eol]
		}
		if m := tableRE.FindStringSubmatch(line); m != nil {
			table = m[1]
		} else if strings.HasPrefix(strings.TrimSpace(line), "[[") {
			table = ""
		} else if table == "project" {
			if m := depsRE.FindStringIndex(line); m != nil {
				start = off + m[1]
				if start >= len(text) || text[start] != '[' {
					return 0, 0, false, fmt.Errorf("pyproject.toml: [project] dependencies is not an array")
				}
				end, err = arrayEnd(text, start)
				return start, end, err == nil, err
			}
		}
		if eol < 0 {
			break
		}
		off += eol + 1
	}
	return 0, 0, false, nil
}

// arrayEnd is the offset just past the ] that closes the array opening at
// text[start], skipping strings and comments.
func arrayEnd(text string, start int) (int, error) {
	depth := 0
	for i := start; i < len(text); i++ {
		switch c := text[i]; c {
		case '[':
			depth++
		case ']':
			if depth--; depth == 0 {
				return i + 1, nil
			}
		case '#':
			for i < len(text) && text[i] != '\n' {
				i++
			}
		case '"', '\'':
			if strings.HasPrefix(text[i:], string([]byte{c, c, c})) {
				j := strings.Index(text[i+3:], string([]byte{c, c, c}))
				if j < 0 {
					return 0, fmt.Errorf("pyproject.toml: unterminated string")
				}
				i += 3 + j + 2
				continue
			}
			for i++; i < len(text) && text[i] != c && text[i] != '\n'; i++ {
				if c == '"' && text[i] == '\\' {
					i++
				}
			}
			if i >= len(text) || text[i] != c {
				return 0, fmt.Errorf("pyproject.toml: unterminated string")
			}
		}
	}
	return 0, fmt.Errorf("pyproject.toml: [project] dependencies has no closing ]")
}
