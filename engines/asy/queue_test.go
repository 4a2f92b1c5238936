package asy

import (
	"context"
	"errors"
	"testing"
	"time"
)

// acquireNow takes a place without waiting, or fails the test.
func acquireNow(t *testing.T, q *Queue, c Class) (Class, func(time.Duration)) {
	t.Helper()
	got, release, err := q.Acquire(context.Background(), c, false, nil)
	if err != nil {
		t.Fatalf("%v: %v", c, err)
	}
	return got, release
}

// The limits nest: one slow at a time here, two medium or slow, three in
// all; a fast task still starts when the longer ones are at their limit.
func TestQueueNestedLimits(t *testing.T) {
	q := NewQueue(QueueConfig{Slots: 3, Medium: 2, Slow: 1})
	_, slow := acquireNow(t, q, Slow)
	if _, _, err := q.Acquire(context.Background(), Slow, false, nil); !errors.Is(err, errNoRoom) {
		t.Errorf("a second slow: %v", err)
	}
	_, medium := acquireNow(t, q, Medium)
	if _, _, err := q.Acquire(context.Background(), Medium, false, nil); !errors.Is(err, errNoRoom) {
		t.Errorf("a second medium with a slow running: %v", err)
	}
	if c, fast := acquireNow(t, q, Auto); c != Fast {
		t.Errorf("auto under load runs as %v, want fast", c)
	} else {
		fast(time.Second)
	}
	slow(time.Second)
	if c, r := acquireNow(t, q, Auto); c != Slow {
		t.Errorf("auto with a slow place free runs as %v", c)
	} else {
		r(time.Second)
	}
	medium(time.Second)
}

// A waiting task hears its estimate, starts when a place frees up (a
// fast one passing a slow one that does not fit), and the queue has a
// length limit; leaving the queue gives up the place.
func TestQueueWaiting(t *testing.T) {
	q := NewQueue(QueueConfig{Slots: 2, Medium: 1, Slow: 1, MaxWaiting: 2, StatusEvery: 10 * time.Millisecond})
	_, slow := acquireNow(t, q, Slow)
	_, fast := acquireNow(t, q, Fast)
	type got struct {
		c   Class
		err error
		r   func(time.Duration)
	}
	wait := func(c Class, ctx context.Context, estimates chan<- time.Duration) chan got {
		ch := make(chan got, 1)
		go func() {
			c, r, err := q.Acquire(ctx, c, true, func(e time.Duration) error {
				select {
				case estimates <- e:
				default:
				}
				return nil
			})
			ch <- got{c, err, r}
		}()
		return ch
	}
	est := make(chan time.Duration, 100)
	slowWaiter := wait(Slow, context.Background(), est)
	if e := <-est; e < 0 || e > time.Minute {
		t.Errorf("estimate %v", e)
	}
	for q.Waiting() != 1 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithCancel(context.Background())
	fastWaiter := wait(Fast, ctx, make(chan time.Duration, 100))
	for q.Waiting() != 2 {
		time.Sleep(time.Millisecond)
	}
	if _, _, err := q.Acquire(context.Background(), Fast, true, func(time.Duration) error { return nil }); !errors.Is(err, errQueueFull) {
		t.Errorf("a third waiter: %v", err)
	}
	// The fast place frees: the slow waiter does not fit (a slow one
	// runs), the fast one behind it does.
	fast(time.Second)
	f := <-fastWaiter
	if f.err != nil || f.c != Fast || q.Waiting() != 1 {
		t.Fatalf("fast waiter: %+v, %d waiting", f, q.Waiting())
	}
	cancel()
	slow(time.Second)
	s := <-slowWaiter
	if s.err != nil || s.c != Slow {
		t.Fatalf("slow waiter: %+v", s)
	}
	f.r(time.Second)
	s.r(time.Second)

	// A waiter whose context ends leaves; its place goes to the next.
	_, a := acquireNow(t, q, Fast)
	_, b := acquireNow(t, q, Fast)
	ctx, cancel = context.WithCancel(context.Background())
	gone := wait(Fast, ctx, make(chan time.Duration, 100))
	for q.Waiting() != 1 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if g := <-gone; !errors.Is(g.err, context.Canceled) || q.Waiting() != 0 {
		t.Errorf("cancelled waiter: %+v, %d waiting", g, q.Waiting())
	}
	a(0)
	b(0)
	_, c := acquireNow(t, q, Fast)
	_, d := acquireNow(t, q, Fast)
	c(0)
	d(0)
}

func TestCacheKeepsTheRecentWithinItsSize(t *testing.T) {
	c := NewCache(10)
	put := func(s string) Hash { h := hashOf([]byte(s)); c.Put(h, []byte(s)); return h }
	a, b := put("aaaa"), put("bbbb")
	if _, ok := c.Get(a); !ok { // a is now the most recent
		t.Fatal("a gone")
	}
	d := put("dddd") // 12 bytes: b, the least recent, goes
	if _, ok := c.Get(b); ok {
		t.Error("b kept past the size")
	}
	for _, h := range []Hash{a, d} {
		if _, ok := c.Get(h); !ok {
			t.Errorf("%v gone", h)
		}
	}
	put("this is too large for the cache")
	if c.Len() != 2 || c.Size() != 8 {
		t.Errorf("%d files, %d bytes", c.Len(), c.Size())
	}
	if _, err := CheckHash(a.String(), []byte("aaaa")); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"zz", a.String()[:62], a.String() + "00"} {
		if _, err := ParseHash(bad); err == nil {
			t.Errorf("hash %q accepted", bad)
		}
	}
	if _, err := CheckHash(b.String(), []byte("aaaa")); err == nil {
		t.Error("a hash of other contents accepted")
	}
}

func TestTimeLimitText(t *testing.T) {
	for d, want := range map[time.Duration]string{
		3 * time.Second:         "Execution aborted due to the time limit (3.0s)",
		1500 * time.Millisecond: "Execution aborted due to the time limit (1.5s)",
		30 * time.Second:        "Execution aborted due to the time limit (30.0s)",
	} {
		if got := timeLimitError(d); got != want {
			t.Errorf("%v: %q", d, got)
		}
	}
	if got := outputLimitError(65536); got != "Execution aborted due to the output limit (65536B)" {
		t.Error(got)
	}
}
