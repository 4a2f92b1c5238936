package engines

import "sync/atomic"

// output is the writer the sandbox gives one stream of a run's output:
// it queues up to cap bytes as events and drops the rest, calling over
// once when it first has to. The sandbox writes each stream from one
// goroutine.
type output struct {
	s         *stream
	kind      Kind
	cap       int64
	n         int64
	truncated atomic.Bool
	over      func()
}

func (o *output) Write(p []byte) (int, error) {
	total := len(p)
	if room := o.cap - o.n; int64(len(p)) > room {
		p = p[:max(room, 0)]
		if !o.truncated.Swap(true) {
			defer o.over()
		}
	}
	if len(p) > 0 {
		o.n += int64(len(p))
		o.s.push(o.kind, p)
	}
	return total, nil
}
