package engines_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/pid1/pid1/engines"
)

// Shutdown ends Closing, refuses newcomers, and waits for the connections
// in to leave; connections arriving while it runs never race its wait.
func TestConnsShutdownWaitsForThoseIn(t *testing.T) {
	c := engines.NewConns()
	if !c.Enter() {
		t.Fatal("a new Conns refused a connection")
	}
	var wg sync.WaitGroup
	for range 50 { // arrivals racing the shutdown (the race detector watches)
		wg.Go(func() {
			if c.Enter() {
				c.Leave()
			}
		})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := c.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown with a connection still in: %v", err)
	}
	if c.Closing().Err() == nil {
		t.Fatal("Closing did not end at Shutdown")
	}
	if c.Enter() {
		t.Fatal("a connection entered after Shutdown began")
	}
	wg.Wait()
	c.Leave()
	if err := c.Shutdown(context.Background()); err != nil {
		t.Fatalf("Shutdown once everyone left: %v", err)
	}
}
