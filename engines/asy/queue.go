package asy

import (
	"container/heap"
	"context"
	"errors"
	"runtime"
	"sync"
	"time"
)

// Class is a task's duration class: how long it may run, which decides
// how many like it may run at once.
type Class int

// The classes, shortest first.
const (
	Fast   Class = iota // 3 s
	Medium              // 10 s
	Slow                // 30 s
	// Auto is a task that did not ask for a duration: it takes the
	// longest class that has room when its turn comes, so it is
	// downgraded under load.
	Auto
)

// Duration is how long a task of the class may run.
func (c Class) Duration() time.Duration {
	return [...]time.Duration{3 * time.Second, 10 * time.Second, 30 * time.Second}[c]
}

func (c Class) String() string { return [...]string{"fast", "medium", "slow", "auto"}[c] }

// classOf is the class of a duration the client asked for (3, 10 or 30
// seconds), and whether it is one.
func classOf(d time.Duration) (Class, bool) {
	for c := Fast; c <= Slow; c++ {
		if d == c.Duration() {
			return c, true
		}
	}
	return 0, false
}

// QueueConfig sets the queue's limits. They nest: at most Slow slow
// tasks run at once, at most Medium medium and slow ones together, at
// most Slots in all; so a burst of long tasks cannot keep short ones
// from running.
type QueueConfig struct {
	Slots  int // default: the number of CPUs
	Medium int // default: two thirds of Slots (at least 1)
	Slow   int // default: a third of Slots (at least 1)
	// MaxWaiting is how many tasks may wait; more are denied (default
	// 4 × Slots).
	MaxWaiting int
	// StatusEvery is how often a waiting task hears its estimate
	// (default 1 s).
	StatusEvery time.Duration
}

func (c QueueConfig) withDefaults() QueueConfig {
	if c.Slots <= 0 {
		c.Slots = runtime.NumCPU()
	}
	if c.Medium <= 0 {
		c.Medium = max(1, c.Slots*2/3)
	}
	if c.Slow <= 0 {
		c.Slow = max(1, c.Slots/3)
	}
	c.Medium, c.Slow = min(c.Medium, c.Slots), min(c.Slow, c.Medium, c.Slots)
	if c.MaxWaiting <= 0 {
		c.MaxWaiting = 4 * c.Slots
	}
	if c.StatusEvery <= 0 {
		c.StatusEvery = time.Second
	}
	return c
}

// The queue's refusals.
var (
	errQueueFull = errors.New("asy: the queue is full")
	errNoRoom    = errors.New("asy: no room to run at once")
)

// Queue admits tasks by class, first come first served among those
// that fit: a fast task behind a slow one that must wait goes first.
type Queue struct {
	cfg QueueConfig

	mu      sync.Mutex
	running [3]int
	started []time.Time // when each running task started, for estimates
	waiting []*waiter
	mean    time.Duration // how long tasks have been taking (moving average)
}

type waiter struct {
	class Class
	admit chan struct{} // closed when admitted
	at    time.Time
}

// NewQueue makes a queue.
func NewQueue(cfg QueueConfig) *Queue {
	return &Queue{cfg: cfg.withDefaults(), mean: 2 * time.Second}
}

// fits reports whether a task of class c may start now (q.mu held).
func (q *Queue) fits(c Class) bool {
	if c == Auto {
		return q.best() >= 0
	}
	return q.fitsClass(c)
}

func (q *Queue) fitsClass(c Class) bool {
	all := q.running[Fast] + q.running[Medium] + q.running[Slow]
	switch c {
	case Slow:
		return q.running[Slow] < q.cfg.Slow && q.running[Medium]+q.running[Slow] < q.cfg.Medium && all < q.cfg.Slots
	case Medium:
		return q.running[Medium]+q.running[Slow] < q.cfg.Medium && all < q.cfg.Slots
	}
	return all < q.cfg.Slots
}

// best is the longest class that may start now, or -1 (q.mu held).
func (q *Queue) best() Class {
	for c := Slow; c >= Fast; c-- {
		if q.fitsClass(c) {
			return c
		}
	}
	return -1
}

// Acquire takes a place for a task of class c (Auto: see there),
// waiting in the queue when wait is set (errNoRoom when it is not and
// there is no room), telling status its estimated wait every
// StatusEvery meanwhile. It returns the class the task runs as; the task
// calls release with how long it ran when it ends.
func (q *Queue) Acquire(ctx context.Context, c Class, wait bool, status func(estimate time.Duration) error) (Class, func(ran time.Duration), error) {
	q.mu.Lock()
	if len(q.waiting) == 0 && q.fits(c) {
		c = q.start(c)
		q.mu.Unlock()
		return c, q.releaser(c), nil
	}
	if !wait {
		q.mu.Unlock()
		return 0, nil, errNoRoom
	}
	if len(q.waiting) >= q.cfg.MaxWaiting {
		q.mu.Unlock()
		return 0, nil, errQueueFull
	}
	w := &waiter{class: c, admit: make(chan struct{}), at: time.Now()}
	q.waiting = append(q.waiting, w)
	q.mu.Unlock()

	tick := time.NewTicker(q.cfg.StatusEvery)
	defer tick.Stop()
	for {
		if err := status(q.estimate(w)); err != nil {
			q.leave(w)
			return 0, nil, err
		}
		select {
		case <-w.admit:
			return w.class, q.releaser(w.class), nil
		case <-ctx.Done():
			q.leave(w)
			return 0, nil, ctx.Err()
		case <-tick.C:
		}
	}
}

// start counts a task of class c (which fits) as running, and returns
// the class it runs as (q.mu held).
func (q *Queue) start(c Class) Class {
	if c == Auto {
		c = q.best()
	}
	q.running[c]++
	q.started = append(q.started, time.Now())
	return c
}

func (q *Queue) releaser(c Class) func(time.Duration) {
	var once sync.Once
	return func(ran time.Duration) {
		once.Do(func() {
			q.mu.Lock()
			defer q.mu.Unlock()
			q.running[c]--
			if len(q.started) > 0 {
				q.started = q.started[1:] // the oldest: estimates only need how many, and roughly since when
			}
			if ran > 0 {
				q.mean = (q.mean*7 + ran) / 8
			}
			q.admit()
		})
	}
}

// leave takes a waiter out of the queue; if it was admitted meanwhile,
// its place is given back.
func (q *Queue) leave(w *waiter) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, x := range q.waiting {
		if x == w {
			q.waiting = append(q.waiting[:i], q.waiting[i+1:]...)
			q.admit() // a task it held up may fit now
			return
		}
	}
	// Admitted after all: give the place back.
	q.running[w.class]--
	if len(q.started) > 0 {
		q.started = q.started[1:]
	}
	q.admit()
}

// admit starts every waiting task that fits, in order (q.mu held).
func (q *Queue) admit() {
	kept := q.waiting[:0]
	for _, w := range q.waiting {
		if q.fits(w.class) {
			w.class = q.start(w.class)
			close(w.admit)
			continue
		}
		kept = append(kept, w)
	}
	clear(q.waiting[len(kept):])
	q.waiting = kept
}

// estimate is how long w may still wait: each running task is expected
// to take the recent mean, and the tasks ahead of w take the first
// places to free up, one each. (It ignores the class limits: a guess to
// show people, not a promise.)
func (q *Queue) estimate(w *waiter) time.Duration {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := time.Now()
	free := make(durationHeap, 0, q.cfg.Slots)
	for _, s := range q.started {
		free = append(free, max(q.mean-now.Sub(s), 0))
	}
	for len(free) < q.cfg.Slots {
		free = append(free, 0)
	}
	heap.Init(&free)
	for _, x := range q.waiting {
		at := heap.Pop(&free).(time.Duration)
		if x == w {
			return at
		}
		heap.Push(&free, at+q.mean)
	}
	return 0 // admitted meanwhile
}

// Waiting is how many tasks wait now.
func (q *Queue) Waiting() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.waiting)
}

// durationHeap is a min-heap of durations.
type durationHeap []time.Duration

func (h durationHeap) Len() int           { return len(h) }
func (h durationHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h durationHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *durationHeap) Push(x any)        { *h = append(*h, x.(time.Duration)) }
func (h *durationHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
