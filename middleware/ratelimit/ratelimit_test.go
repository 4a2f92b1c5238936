package ratelimit

import (
	"context"
	"testing"
	"time"
)

// The bucket's arithmetic, driven by real time: a burst goes at once, the
// rate holds after it, and input grants more.
func TestBucket(t *testing.T) {
	l := Wrap(nil, Config{Rate: 100, Burst: 10, InputBurst: 5})
	ctx := context.Background()
	start := time.Now()
	for range 10 {
		l.Pace(ctx)
	}
	if d := time.Since(start); d > 200*time.Millisecond {
		t.Fatalf("the burst took %v", d)
	}
	start = time.Now()
	for range 20 {
		l.Pace(ctx)
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Fatalf("20 messages past the burst at 100/s took only %v", d)
	}
	l.grant()
	start = time.Now()
	for range 5 {
		l.Pace(ctx)
	}
	if d := time.Since(start); d > 200*time.Millisecond {
		t.Fatalf("the input burst took %v", d)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	l.tokens = 0
	if err := l.Pace(cctx); err == nil {
		t.Fatal("Pace ignored a cancelled context")
	}
}
