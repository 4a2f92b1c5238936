package lsp

import (
	"bufio"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzReadMessage: whatever a server prints, readMessage never panics,
// and every message it returns is one framed message whose
// Content-Length is its content's length, in valid UTF-8.
func FuzzReadMessage(f *testing.F) {
	f.Add("Content-Length: 2\r\n\r\n{}")
	f.Add("Content-Length: 2\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}Content-Length: 0\r\n\r\n")
	f.Add("hello\r\nContent-Length: 3\r\n\r\n\xff\xfe{")
	f.Add("Content-Length: -1\r\n\r\n")
	f.Add("Content-Length: 99999999999\r\n\r\n")
	f.Add("X: y\r\n\r\n{}")
	f.Fuzz(func(t *testing.T, out string) {
		r := bufio.NewReaderSize(strings.NewReader(out), 4096)
		for i := 0; i < 1000; i++ {
			msg, _, err := readMessage(r)
			if err != nil {
				return
			}
			header, content, ok := strings.Cut(msg, "\r\n\r\n")
			if !ok {
				t.Fatalf("a message without a blank line: %q", msg)
			}
			n := -1
			for _, line := range strings.Split(header, "\r\n") {
				if name, v, _ := strings.Cut(line, ":"); strings.EqualFold(name, "Content-Length") {
					n, _ = strconv.Atoi(strings.TrimSpace(v))
				}
			}
			if n != len(content) || !utf8.ValidString(msg) {
				t.Fatalf("Content-Length %d for %d bytes (valid UTF-8: %v): %q", n, len(content), utf8.ValidString(msg), msg)
			}
		}
	})
}

// FuzzInputFramer: whatever clients send, in whatever pieces, the framer
// never panics, and what it writes is whole messages followed by at
// most one message still being passed through.
func FuzzInputFramer(f *testing.F) {
	f.Add(`{"jsonrpc":"2.0","method":"exit"}`, 5)
	f.Add("Content-Length: 2\r\n\r\n{}", 3)
	f.Add("Content-Length: 10\r\n\r\n{}", 1)
	f.Add("content-length: x\r\n\r\n", 7)
	f.Add("Content-Type: a\r\n\r\n{}", 2)
	f.Fuzz(func(t *testing.T, in string, cut int) {
		var fr inputFramer
		var out strings.Builder
		if cut <= 0 {
			cut = 1
		}
		for len(in) > 0 {
			k := min(cut, len(in))
			o, _, err := fr.frame(in[:k])
			out.WriteString(o)
			if err != nil {
				break
			}
			in = in[k:]
		}
		r := bufio.NewReaderSize(strings.NewReader(out.String()), 1<<16)
		for {
			_, skipped, err := readMessage(r)
			if len(skipped) > 0 {
				t.Fatalf("the framer wrote something that is not a header: %q in %q", skipped, out.String())
			}
			if err != nil {
				if fr.pending == 0 && err.Error() != "EOF" {
					t.Fatalf("the framer's output %q does not parse: %v", out.String(), err)
				}
				return
			}
		}
	})
}
