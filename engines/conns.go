package engines

import (
	"context"
	"sync"
)

// Conns counts the connections an engine's endpoints serve, so that
// Shutdown can end them and wait for them: Enter counts one in (refused
// once Shutdown has begun), Leave counts it out, and Closing ends when
// Shutdown begins (each connection then closes itself with 1001). A count
// taken under the lock Shutdown takes first never races its wait. Safe for
// concurrent use; make one with NewConns.
type Conns struct {
	closing context.Context
	stop    context.CancelFunc

	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

// NewConns makes a Conns that accepts connections.
func NewConns() *Conns {
	ctx, stop := context.WithCancel(context.Background())
	return &Conns{closing: ctx, stop: stop}
}

// Enter counts a connection in, and reports false once Shutdown has begun.
func (c *Conns) Enter() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	c.wg.Add(1)
	return true
}

// Leave counts out a connection Enter counted in.
func (c *Conns) Leave() { c.wg.Done() }

// Closing ends when Shutdown begins.
func (c *Conns) Closing() context.Context { return c.closing }

// Shutdown refuses new connections, ends Closing, and waits for the
// connections counted in to leave or ctx to end.
func (c *Conns) Shutdown(ctx context.Context) error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.stop()
	done := make(chan struct{})
	go func() { c.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
