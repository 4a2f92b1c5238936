//go:build linux

package sandbox

import "sync"

// slotPool keeps one thing per run slot from a run to the slot's next
// one (a network namespace, a cgroup), to be taken back or released.
type slotPool[T any] struct {
	mu      sync.Mutex
	held    []T
	has     []bool
	closed  bool
	release func(T)
}

func newSlotPool[T any](slots int, release func(T)) *slotPool[T] {
	return &slotPool[T]{held: make([]T, slots), has: make([]bool, slots), release: release}
}

// take returns what the slot kept, if anything; the caller owns it.
func (p *slotPool[T]) take(slot int) (T, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	v, ok := p.held[slot], p.has[slot]
	var zero T
	p.held[slot], p.has[slot] = zero, false
	return v, ok
}

// keep gives v to the slot's next run; once the pool is closed it is
// released instead.
func (p *slotPool[T]) keep(slot int, v T) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		p.release(v)
		return
	}
	old, had := p.held[slot], p.has[slot]
	p.held[slot], p.has[slot] = v, true
	p.mu.Unlock()
	if had {
		p.release(old)
	}
}

// close releases everything kept; later keeps release at once.
func (p *slotPool[T]) close() {
	p.mu.Lock()
	p.closed = true
	var out []T
	for i := range p.held {
		if p.has[i] {
			out = append(out, p.held[i])
			var zero T
			p.held[i], p.has[i] = zero, false
		}
	}
	p.mu.Unlock()
	for _, v := range out {
		p.release(v)
	}
}
