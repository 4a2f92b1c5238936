package services

import (
	"context"
	"time"
)

// Wrapper is implemented by channels that middleware wraps around
// another, so that a service can find what a middleware offers.
type Wrapper interface {
	Unwrap() Channel
}

// Find returns the first channel in ch's wrapping chain (ch itself
// first) that is a T.
func Find[T any](ch Channel) (T, bool) {
	for ch != nil {
		if t, ok := ch.(T); ok {
			return t, true
		}
		w, ok := ch.(Wrapper)
		if !ok {
			break
		}
		ch = w.Unwrap()
	}
	var zero T
	return zero, false
}

// Pacer is offered by middleware (rateLimit) that wants producers of
// output to slow down. A producer that can wait asks before each output
// it sends: Reserve takes a message from the allowance and returns 0, or
// takes nothing and returns how long until one is allowed, time the
// producer can spend gathering more output into the next message. Pace
// waits for and takes one.
type Pacer interface {
	Reserve() time.Duration
	Pace(ctx context.Context) error
}
