package lsp

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxMessage bounds one LSP message in either direction (a completion
// list or a large file's didOpen is a few MiB).
const maxMessage = 64 << 20

// maxHeader bounds a message's header block.
const maxHeader = 8 << 10

// errTooLarge is a message over maxMessage.
var errTooLarge = fmt.Errorf("an LSP message over %d MiB", maxMessage>>20)

// readMessage reads one base-protocol message from a server's output:
// header fields ("Name: value" lines), a blank line, then Content-Length
// bytes of content. It returns the message as the server wrote it, header
// included, so the framing reaches the client intact (header lines end
// in CRLF, as the protocol says, even from a server that wrote LF alone); content that is not
// UTF-8 (which a protobuf string cannot carry) is repaired and its
// Content-Length rewritten. skipped is what came before the header that
// is not one (a server printing to stdout by mistake); err is io.EOF at a
// clean end.
func readMessage(r *bufio.Reader) (msg string, skipped []string, err error) {
	var header bytes.Buffer
	length := -1
	for {
		line, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			return "", skipped, fmt.Errorf("a header line over %d bytes", r.Size())
		}
		if err != nil {
			if errors.Is(err, io.EOF) && header.Len() == 0 && len(line) == 0 {
				return "", skipped, io.EOF
			}
			return "", skipped, fmt.Errorf("the output ended inside a message header: %w", io.ErrUnexpectedEOF)
		}
		text := strings.TrimRight(string(line), "\r\n")
		if text == "" {
			if header.Len() == 0 {
				continue // stray blank line between messages
			}
			header.WriteString("\r\n")
			break
		}
		name, value, ok := strings.Cut(text, ":")
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			if header.Len() > 0 {
				return "", skipped, fmt.Errorf("a header line that is not Name: value: %q", clip(text))
			}
			skipped = append(skipped, clip(text))
			continue
		}
		if strings.EqualFold(name, "Content-Length") {
			n, err := strconv.Atoi(strings.TrimSpace(value))
			if err != nil || n < 0 {
				return "", skipped, fmt.Errorf("Content-Length %q is not a length", clip(value))
			}
			if n > maxMessage {
				return "", skipped, errTooLarge
			}
			length = n
		}
		header.WriteString(strings.ToValidUTF8(text, "\uFFFD") + "\r\n")
		if header.Len() > maxHeader {
			return "", skipped, fmt.Errorf("a message header over %d bytes", maxHeader)
		}
	}
	if length < 0 {
		return "", skipped, fmt.Errorf("a message header without Content-Length: %q", clip(header.String()))
	}
	body := make([]byte, length)
	if _, err := io.ReadFull(r, body); err != nil {
		return "", skipped, fmt.Errorf("the output ended inside a message: %w", io.ErrUnexpectedEOF)
	}
	if !utf8.Valid(body) {
		fixed := strings.ToValidUTF8(string(body), "\uFFFD")
		return fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(fixed), fixed), skipped, nil
	}
	return header.String() + string(body), skipped, nil
}

func clip(s string) string {
	if len(s) > 100 {
		return s[:100] + "..."
	}
	return s
}
