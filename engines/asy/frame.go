package asy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// frame is one text message: a verb and its JSON body.
type frame struct {
	verb string
	body json.RawMessage // "{}" when the message had none
}

// maxVerb is the longest verb there is, with room.
const maxVerb = 16

// parseFrame reads "verb {json}": a verb of lower-case letters, then
// (after spaces) one JSON value and nothing more.
func parseFrame(b []byte) (frame, error) {
	i := 0
	for i < len(b) && i <= maxVerb && b[i] >= 'a' && b[i] <= 'z' {
		i++
	}
	if i == 0 || i > maxVerb {
		return frame{}, errors.New(`a message is "verb {json}": a lower-case word, then its JSON`)
	}
	f := frame{verb: string(b[:i]), body: json.RawMessage("{}")}
	rest := bytes.TrimLeft(b[i:], " \t\r\n")
	if len(rest) == 0 {
		return f, nil
	}
	if len(rest) == len(b[i:]) {
		return frame{}, fmt.Errorf("%q: a space must separate the verb from its JSON", f.verb)
	}
	rest = bytes.TrimRight(rest, " \t\r\n")
	if !json.Valid(rest) {
		return frame{}, fmt.Errorf("%s: the body is not one JSON value", f.verb)
	}
	f.body = rest
	return f, nil
}

// encodeFrame writes "verb {json}".
func encodeFrame(verb string, body any) ([]byte, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("asy: encoding %s: %w", verb, err)
	}
	return append([]byte(verb+" "), b...), nil
}
