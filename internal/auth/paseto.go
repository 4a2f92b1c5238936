package auth

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
)

const header = "v2.public."

// pae is PASETO's pre-authentication encoding: the piece count and each
// piece, every one prefixed by its little-endian 64-bit length.
func pae(pieces ...[]byte) []byte {
	n := 8
	for _, p := range pieces {
		n += 8 + len(p)
	}
	out := make([]byte, 0, n)
	out = binary.LittleEndian.AppendUint64(out, uint64(len(pieces)))
	for _, p := range pieces {
		out = binary.LittleEndian.AppendUint64(out, uint64(len(p)))
		out = append(out, p...)
	}
	return out
}

var b64url = base64.RawURLEncoding

// split takes a v2.public token apart into its message, signature and
// footer without checking the signature.
func split(token string, sigLen int) (msg, sig, footer []byte, err error) {
	rest, ok := strings.CutPrefix(token, header)
	if !ok {
		return nil, nil, nil, fmt.Errorf("%w: does not start with %q", ErrMalformed, header)
	}
	body, foot, _ := strings.Cut(rest, ".")
	if strings.Contains(foot, ".") {
		return nil, nil, nil, fmt.Errorf("%w: too many dots", ErrMalformed)
	}
	raw, err := b64url.DecodeString(body)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%w: body is not base64url: %v", ErrMalformed, err)
	}
	if len(raw) < sigLen {
		return nil, nil, nil, fmt.Errorf("%w: body is %d bytes, shorter than a signature", ErrMalformed, len(raw))
	}
	footer, err = b64url.DecodeString(foot)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%w: footer is not base64url: %v", ErrMalformed, err)
	}
	cut := len(raw) - sigLen
	return raw[:cut], raw[cut:], footer, nil
}

func join(msg, sig, footer []byte) string {
	body := make([]byte, 0, len(msg)+len(sig))
	body = append(append(body, msg...), sig...)
	s := header + b64url.EncodeToString(body)
	if len(footer) > 0 {
		s += "." + b64url.EncodeToString(footer)
	}
	return s
}
