//go:build linux

package sandbox

import (
	"io"
	"os"
)

// pump copies one output stream of a run to its writer, up to limit
// bytes. Beyond that it keeps reading (so the program is not blocked or
// killed for writing) and drops what it reads, calling over once. A
// writer that fails (a client gone) stops getting data; the stream is
// still drained.
type pump struct {
	r         *os.File
	w         io.Writer
	limit     int64
	over      func()
	written   int64
	truncated bool
}

func (p *pump) run() {
	defer p.r.Close()
	buf := make([]byte, 32<<10)
	w := p.w
	for {
		n, err := p.r.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			if room := p.limit - p.written; int64(n) > room {
				chunk = chunk[:max(room, 0)]
				if !p.truncated {
					p.truncated = true
					if p.over != nil {
						p.over()
					}
				}
			}
			if len(chunk) > 0 {
				p.written += int64(len(chunk))
				if w != nil {
					if _, werr := w.Write(chunk); werr != nil {
						w = nil
					}
				}
			}
		}
		if err != nil { // EOF: every writer is gone
			return
		}
	}
}

// feed copies the run's standard input and closes the pipe after it. It
// stops at the first error (the program closed its end or exited).
func feed(w *os.File, r io.Reader) {
	defer w.Close()
	if r != nil {
		_, _ = io.Copy(w, r)
	}
}
