package packager

import (
	"context"
	"path/filepath"
	"sync"
)

var (
	locksMu sync.Mutex
	locks   = map[string]chan struct{}{}
)

// Lock waits until no other operation holds the workspace at dir (in any
// channel of any service in this process) or ctx ends, and returns the
// function that releases it. Waiters are served in no particular order.
func Lock(ctx context.Context, dir string) (unlock func(), err error) {
	dir = filepath.Clean(dir)
	locksMu.Lock()
	l, ok := locks[dir]
	if !ok {
		l = make(chan struct{}, 1)
		locks[dir] = l
	}
	locksMu.Unlock()
	select {
	case l <- struct{}{}:
		var once sync.Once
		return func() { once.Do(func() { <-l }) }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
