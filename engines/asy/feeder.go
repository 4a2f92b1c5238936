package asy

import (
	"context"
	"io"
	"sync"
)

// feeder is an interactive shell's standard input: what the client
// sends is queued (a bounded number of messages) and written to the
// pipe asy reads, in order, as fast as asy reads it.
type feeder struct {
	r    *io.PipeReader
	w    *io.PipeWriter
	ch   chan []byte
	done chan struct{}
	once sync.Once
	wg   sync.WaitGroup
}

// maxQueuedInput is how many input messages may wait for asy to read.
const maxQueuedInput = 64

// newFeeder starts feeding, with first queued before anything else.
func newFeeder(ctx context.Context, first [][]byte) *feeder {
	r, w := io.Pipe()
	f := &feeder{r: r, w: w, ch: make(chan []byte, maxQueuedInput+len(first)), done: make(chan struct{})}
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

// add queues data; false when too much is queued already.
func (f *feeder) add(data []byte) bool {
	select {
	case f.ch <- data:
		return true
	default:
		return false
	}
}

// close stops feeding and waits for the feeding goroutine.
func (f *feeder) close() {
	f.once.Do(func() {
		close(f.done)
		f.r.Close() // a Write blocked on a reader that is gone returns
	})
	f.wg.Wait()
}
