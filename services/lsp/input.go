package lsp

import (
	"fmt"
	"strconv"
	"strings"
)

// inputFramer turns what clients send as `input` into base-protocol
// messages for the server's stdin. Clients do it two ways: most send one
// message's JSON content per input, which the framer frames; some relay
// raw protocol bytes, header included and cut anywhere, which it passes
// through as they are, tracking each message's length so that the
// content following a header (possibly in later inputs) is not framed a
// second time. A header is held until it is complete and valid, so a bad
// one never reaches the server half written.
type inputFramer struct {
	header  string // a header begun in an earlier input
	pending int    // content bytes of a passed-through message still to come
	content []byte // what has come of that content
}

// frame returns the bytes to write for in, and the contents of the
// messages in completed.
func (f *inputFramer) frame(in string) (out string, contents []string, err error) {
	var b strings.Builder
	for in != "" {
		switch {
		case f.pending > 0:
			k := min(f.pending, len(in))
			b.WriteString(in[:k])
			f.content = append(f.content, in[:k]...)
			f.pending -= k
			in = in[k:]
			if f.pending == 0 {
				contents = append(contents, string(f.content))
				f.content = f.content[:0]
			}
		case f.header != "" || looksLikeHeader(in):
			all := f.header + in
			end := strings.Index(all, "\r\n\r\n")
			if end < 0 {
				if len(all) > maxHeader {
					f.header = ""
					return b.String(), contents, fmt.Errorf("an input header over %d bytes without its blank line", maxHeader)
				}
				f.header = all
				return b.String(), contents, nil
			}
			hdr := all[:end+4]
			n, err := contentLength(hdr)
			if err != nil {
				f.header = ""
				return b.String(), contents, err
			}
			b.WriteString(hdr)
			f.header, f.pending, in = "", n, all[end+4:]
			if n == 0 {
				contents = append(contents, "")
			}
		default:
			if len(in) > maxMessage {
				return b.String(), contents, errTooLarge
			}
			fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(in), in)
			contents = append(contents, in)
			in = ""
		}
	}
	return b.String(), contents, nil
}

// looksLikeHeader reports whether s begins a base-protocol header (every
// field is Content-Something), or could once more of it arrives.
func looksLikeHeader(s string) bool {
	const p = "content-"
	s = strings.ToLower(s)
	return strings.HasPrefix(s, p) || strings.HasPrefix(p, s)
}

// contentLength is the Content-Length of a header block.
func contentLength(hdr string) (int, error) {
	for _, line := range strings.Split(strings.TrimSuffix(hdr, "\r\n\r\n"), "\r\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return 0, fmt.Errorf("an input header line that is not Name: value: %q", clip(line))
		}
		if strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			n, err := strconv.Atoi(strings.TrimSpace(value))
			switch {
			case err != nil || n < 0:
				return 0, fmt.Errorf("input Content-Length %q is not a length", clip(strings.TrimSpace(value)))
			case n > maxMessage:
				return 0, errTooLarge
			}
			return n, nil
		}
	}
	return 0, fmt.Errorf("an input header without Content-Length: %q", clip(hdr))
}
