package perclient

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func refusal(t *testing.T, err error) *Refusal {
	t.Helper()
	var r *Refusal
	if !errors.As(err, &r) {
		t.Fatalf("want a refusal, got %v", err)
	}
	return r
}

func TestConcurrent(t *testing.T) {
	l := New(Config{Concurrent: 2, What: "runs"})
	r1, err := l.Acquire("ip:1.2.3.4")
	if err != nil {
		t.Fatal(err)
	}
	r2, err := l.Acquire("ip:1.2.3.4")
	if err != nil {
		t.Fatal(err)
	}
	_, err = l.Acquire("ip:1.2.3.4")
	if r := refusal(t, err); r.Reason != "too many runs at once from your address (limit 2)" || r.RetryAfter != 0 {
		t.Errorf("refusal %+v", r)
	}
	if _, err := l.Acquire("ip:5.6.7.8"); err != nil {
		t.Errorf("another client was refused: %v", err)
	}
	r1()
	r1() // a second release is a no-op
	if _, err := l.Acquire("ip:1.2.3.4"); err != nil {
		t.Errorf("after a release: %v", err)
	}
	if _, err := l.Acquire("ip:1.2.3.4"); err == nil {
		t.Error("the double release freed two slots")
	}
	r2()
}

func TestRate(t *testing.T) {
	c := &clock{t: time.Unix(1000, 0)}
	l := New(Config{PerMinute: 6, Burst: 3, What: "runs", Now: c.now})
	for i := range 3 {
		rel, err := l.Acquire("k")
		if err != nil {
			t.Fatalf("burst %d: %v", i, err)
		}
		rel()
	}
	_, err := l.Acquire("k")
	r := refusal(t, err)
	if r.RetryAfter != 10*time.Second || !strings.Contains(r.Reason, "limit 6 a minute") || !strings.Contains(r.Reason, "retry in 10 s") {
		t.Errorf("refusal %+v", r)
	}
	c.add(9 * time.Second)
	if _, err := l.Acquire("k"); err == nil {
		t.Error("a token came back early")
	}
	c.add(time.Second)
	rel, err := l.Acquire("k")
	if err != nil {
		t.Fatalf("after 10 s: %v", err)
	}
	rel()
	if l.Clients() != 1 {
		t.Errorf("a client with an empty bucket was forgotten")
	}
	c.add(time.Minute)
	rel, _ = l.Acquire("other") // the once-a-minute sweep
	rel()
	if l.Clients() != 1 {
		t.Errorf("an idle client with a full bucket is still tracked")
	}
}

func TestMaxClients(t *testing.T) {
	c := &clock{t: time.Unix(1000, 0)}
	l := New(Config{PerMinute: 60, Burst: 1, MaxClients: 2, Now: c.now})
	for _, k := range []string{"a", "b"} {
		rel, err := l.Acquire(k)
		if err != nil {
			t.Fatal(err)
		}
		rel()
	}
	_, err := l.Acquire("c")
	if r := refusal(t, err); !strings.HasPrefix(r.Reason, "server busy") {
		t.Errorf("refusal %+v", r)
	}
	c.add(time.Second) // a and b have their token back: idle, so swept
	rel, err := l.Acquire("c")
	if err != nil {
		t.Fatalf("after the others went idle: %v", err)
	}
	rel()
}

func TestNilLimiterAllows(t *testing.T) {
	var l *Limiter
	rel, err := l.Acquire("x")
	if err != nil {
		t.Fatal(err)
	}
	rel()
}
