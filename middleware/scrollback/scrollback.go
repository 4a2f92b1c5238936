// Package scrollback is the middleware that remembers a service's
// broadcast output and replays it to each session that attaches.
//
// Output is kept as lines split on raw "\n" (so that a replay does not
// start in the middle of an escape sequence), at most 1,000 lines and at
// most 1 MiB; the oldest lines go first. A line longer than the byte bound
// keeps its end, cut at a character boundary. A service clears its
// scrollback (run2 does on each run) through the Recorder it is built
// with (the terminal package hands it over).
package scrollback

import (
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
)

// Bounds of what is kept.
const (
	MaxLines = 1000
	MaxBytes = 1 << 20
)

// New is the scrollback middleware.
func New(next services.Constructor) services.Constructor {
	return func(ch services.Channel) (services.Service, error) {
		r := Wrap(ch)
		inner, err := next(r)
		if err != nil {
			return nil, err
		}
		return r.Serve(inner), nil
	}
}

// Recorder is a channel that records broadcast output on its way out.
type Recorder struct {
	services.Channel
	mu  sync.Mutex
	buf buffer
}

// Wrap returns a Recorder sending to ch.
func Wrap(ch services.Channel) *Recorder { return &Recorder{Channel: ch} }

// Serve returns inner wrapped so that each session that attaches first
// gets what was recorded.
func (c *Recorder) Serve(inner services.Service) services.Service {
	return &service{Wrapped: services.Wrapped{Service: inner}, c: c}
}

func (c *Recorder) Send(cmd *api.Command) {
	if out, ok := cmd.Body.(*api.Command_Output); ok && cmd.Session == 0 {
		c.mu.Lock()
		c.buf.add(out.Output)
		c.mu.Unlock()
	}
	c.Channel.Send(cmd)
}

// Clear forgets the output so far.
func (c *Recorder) Clear() {
	c.mu.Lock()
	c.buf = buffer{}
	c.mu.Unlock()
}

func (c *Recorder) text() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String()
}

type service struct {
	services.Wrapped
	c *Recorder
}

// Attach replays the scrollback to s before the service hears of s.
func (s *service) Attach(se services.Session) {
	if text := s.c.text(); text != "" {
		services.To(s.c.Channel, se.ID, &api.Command{Body: &api.Command_Output{Output: text}})
	}
	services.Attach(s.Service, se)
}

// buffer holds the last lines of output; the last one may be unfinished.
type buffer struct {
	lines []string // each ends in "\n" except perhaps the last
	bytes int
}

func (b *buffer) add(text string) {
	if t := tail(text); len(t) < len(text) {
		// text alone fills the buffer: what was there goes, and only the
		// part that can stay is split into lines.
		*b = buffer{}
		text = t
	}
	for text != "" {
		i := strings.IndexByte(text, '\n')
		part := text
		if i >= 0 {
			part = text[:i+1]
		}
		text = text[len(part):]
		if n := len(b.lines); n > 0 && !strings.HasSuffix(b.lines[n-1], "\n") {
			b.lines[n-1] += part
		} else {
			b.lines = append(b.lines, part)
		}
		b.bytes += len(part)
	}
	b.trim()
}

func (b *buffer) trim() {
	drop := 0
	for len(b.lines)-drop > MaxLines || (b.bytes > MaxBytes && len(b.lines)-drop > 1) {
		b.bytes -= len(b.lines[drop])
		drop++
	}
	if drop > 0 {
		b.lines = append([]string(nil), b.lines[drop:]...)
	}
	if b.bytes > MaxBytes { // one huge line: keep its end
		last := b.lines[0]
		cut := len(last) - MaxBytes
		for cut < len(last) && !utf8.RuneStart(last[cut]) {
			cut++
		}
		b.lines[0] = last[cut:]
		b.bytes = len(b.lines[0])
	}
}

// tail is the end of text that fits in an empty buffer: at most MaxBytes
// (from a character boundary) and at most MaxLines lines.
func tail(text string) string {
	if len(text) > MaxBytes {
		cut := len(text) - MaxBytes
		for cut < len(text) && !utf8.RuneStart(text[cut]) {
			cut++
		}
		text = text[cut:]
	}
	end := len(text)
	if strings.HasSuffix(text, "\n") {
		end-- // the final newline ends the last line
	}
	for range MaxLines {
		j := strings.LastIndexByte(text[:end], '\n')
		if j < 0 {
			return text
		}
		end = j
	}
	return text[end+1:]
}

func (b *buffer) String() string { return strings.Join(b.lines, "") }
