package asy

import (
	"context"
	"io"
	"sync"
)

// Input is an interactive shell's standard input (Task.Stdin): what the
// client sends is queued (a bounded number of messages) and written to
// the pipe asy reads, in order, as fast as asy reads it.
type Input struct {
	r    *io.PipeReader
	w    *io.PipeWriter
	ch   chan []byte
	done chan struct{}
	once sync.Once
	wg   sync.WaitGroup
}

// maxQueuedInput is how many input messages may wait for asy to read.
const maxQueuedInput = 64

// NewInput starts feeding, with first queued before anything else,
// until Close or ctx ends.
func NewInput(ctx context.Context, first [][]byte) *Input {
	r, w := io.Pipe()
	f := &Input{r: r, w: w, ch: make(chan []byte, maxQueuedInput+len(first)), done: make(chan struct{})}
	for _, b := range first {
		f.ch <- b
	}
	f.wg.Go(func() {
		defer w.Close()
		for {
			select {
			case b := <-f.ch:
				if _, err := w.Write(b); err != nil {
					return
				}
			case <-f.done:
				return
			case <-ctx.Done():
				return
			}
		}
	})
	return f
}

// Reader is what asy reads.
func (f *Input) Reader() io.Reader { return f.r }

// Add queues data; false when too much is queued already.
func (f *Input) Add(data []byte) bool {
	select {
	case f.ch <- data:
		return true
	default:
		return false
	}
}

// Close stops feeding and waits for the feeding goroutine.
func (f *Input) Close() {
	f.once.Do(func() {
		close(f.done)
		f.r.Close() // a Write blocked on a reader that is gone returns
	})
	f.wg.Wait()
}
