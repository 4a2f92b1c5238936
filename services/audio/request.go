package audio

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// request is one JSON document written to the pipe. Pointers tell a field
// that was left out from one set to its zero value.
type request struct {
	ID        *int     `json:"ID"`
	File      string   `json:"File"`
	Name      string   `json:"Name"`
	Type      string   `json:"Type"`
	Args      *args    `json:"Args"`
	Volume    *float64 `json:"Volume"`
	Paused    *bool    `json:"Paused"`
	DoesLoop  *bool    `json:"DoesLoop"`
	LoopCount *int     `json:"LoopCount"`
}

// args is the `Args` object of the library form of a request.
type args struct {
	Path     string  `json:"Path"`
	Pitch    float64 `json:"Pitch"`
	Seconds  float64 `json:"Seconds"`
	WaveType int     `json:"WaveType"`
}

// maxVolume bounds a volume: beyond it every sample clips anyway.
const maxVolume = 1000

// parseRequest decodes and checks one document.
func parseRequest(doc []byte) (request, error) {
	var r request
	if err := json.Unmarshal(doc, &r); err != nil {
		return request{}, fmt.Errorf("not a request: %v", err)
	}
	if v := r.Volume; v != nil && (math.IsNaN(*v) || *v < 0 || *v > maxVolume) {
		return request{}, fmt.Errorf("volume %v: want 0 to %d (1 is the file's own level)", *v, maxVolume)
	}
	if r.ID != nil {
		return r, nil
	}
	if r.Type == "tone" {
		a := r.Args
		switch {
		case a == nil:
			return request{}, errors.New(`a tone needs "Args": {"Pitch", "Seconds", "WaveType"}`)
		case !(a.Pitch > 0 && a.Pitch < 20000):
			return request{}, fmt.Errorf("tone Pitch %v: want 0 to 20000 Hz", a.Pitch)
		case !(a.Seconds > 0 && a.Seconds <= maxToneSeconds):
			return request{}, fmt.Errorf("tone Seconds %v: want 0 to %d", a.Seconds, maxToneSeconds)
		case a.WaveType < 0 || a.WaveType > 3:
			return request{}, fmt.Errorf("tone WaveType %d: want 0 (sine), 1 (triangle), 2 (saw) or 3 (square)", a.WaveType)
		}
		return r, nil
	}
	if r.path() == "" {
		return request{}, errors.New(`a request needs "File" (a path to play) or "ID" (a source to change)`)
	}
	return r, nil
}

// path is the file a request plays: File, or Args.Path in the library form.
func (r request) path() string {
	if r.File != "" {
		return r.File
	}
	if r.Args != nil {
		return r.Args.Path
	}
	return ""
}

// loops is how many more times a new source repeats: LoopCount when
// DoesLoop is true (negative: forever), else none.
func (r request) loops() int {
	if r.DoesLoop == nil || !*r.DoesLoop || r.LoopCount == nil {
		return 0
	}
	return *r.LoopCount
}

// splitter cuts the bytes read from the pipe into JSON documents. Writers
// send one object each, with or without a newline, and may be cut across
// reads; whatever lies between objects is garbage, reported and skipped.
// A document larger than maxDoc is dropped, so a writer that never closes
// its braces cannot make pid1 hold on forever.
type splitter struct {
	buf []byte
}

// maxDoc bounds one request.
const maxDoc = 64 << 10

// feed adds p and returns the complete documents it finishes, and the
// garbage skipped on the way.
func (s *splitter) feed(p []byte) (docs [][]byte, garbage [][]byte) {
	s.buf = append(s.buf, p...)
	for {
		start := 0
		for start < len(s.buf) && isSpace(s.buf[start]) {
			start++
		}
		if start == len(s.buf) {
			s.buf = s.buf[:0]
			return docs, garbage
		}
		if s.buf[start] != '{' {
			end := start
			for end < len(s.buf) && s.buf[end] != '{' {
				end++
			}
			garbage = append(garbage, clone(s.buf[start:end]))
			s.buf = append(s.buf[:0], s.buf[end:]...)
			continue
		}
		end, ok := objectEnd(s.buf[start:])
		if !ok {
			if len(s.buf)-start > maxDoc {
				// Drop it, and look for the next object after its brace.
				garbage = append(garbage, clone(s.buf[start:start+min(len(s.buf)-start, 80)]))
				s.buf = append(s.buf[:0], s.buf[start+1:]...)
				continue
			}
			s.buf = append(s.buf[:0], s.buf[start:]...)
			return docs, garbage
		}
		docs = append(docs, clone(s.buf[start:start+end]))
		s.buf = append(s.buf[:0], s.buf[start+end:]...)
	}
}

// objectEnd finds where the object b starts with ends (just past its
// closing brace), minding strings and escapes.
func objectEnd(b []byte) (int, bool) {
	depth, inString, escaped := 0, false, false
	for i, c := range b {
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
			if depth == 0 {
				return i + 1, true
			}
		}
	}
	return 0, false
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

func clone(b []byte) []byte { return append([]byte(nil), b...) }
