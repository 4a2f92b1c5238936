// Package ratelimit is the middleware that limits how many output messages
// a service sends per second.
//
// It is a token bucket of messages: Rate per second, starting full with
// Burst, refilling when output is slower than Rate. Each `input` a
// session sends grants InputBurst extra messages, so that interactive
// programs (a game, an editor) stay fast. The limit coalesces rather than
// drops: a producer (termed's pty reader) asks Reserve before each
// message and, while no message is allowed, goes on gathering output into
// the next one, up to its largest message; then it waits (Pace), and the
// program writing the output is blocked by the kernel. Nothing is dropped.
package ratelimit

import (
	"context"
	"sync"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
)

// Config sets the limits; zero fields take the defaults.
type Config struct {
	Rate       float64 // messages per second
	Burst      int     // messages that may go at once
	InputBurst int     // extra messages each input grants
}

// Defaults.
const (
	DefaultRate       = 120
	DefaultBurst      = 240
	DefaultInputBurst = 30
)

// New returns the middleware with cfg.
func New(cfg Config) services.Middleware {
	return func(next services.Constructor) services.Constructor {
		return func(ch services.Channel) (services.Service, error) {
			l := Wrap(ch, cfg)
			inner, err := next(l)
			if err != nil {
				return nil, err
			}
			return l.Serve(inner), nil
		}
	}
}

// Wrap returns the Limiter of the output sent to ch.
func Wrap(ch services.Channel, cfg Config) *Limiter {
	if cfg.Rate <= 0 {
		cfg.Rate = DefaultRate
	}
	if cfg.Burst <= 0 {
		cfg.Burst = DefaultBurst
	}
	if cfg.InputBurst <= 0 {
		cfg.InputBurst = DefaultInputBurst
	}
	return &Limiter{Channel: ch, cfg: cfg, tokens: float64(cfg.Burst), last: time.Now()}
}

// Serve returns inner wrapped so that each `input` grants an input burst.
func (l *Limiter) Serve(inner services.Service) services.Service {
	return &service{Wrapped: services.Wrapped{Service: inner}, l: l}
}

// Limiter is the channel wrapped services send through; a producer that
// can wait asks it (Reserve, Pace) before each message.
type Limiter struct {
	services.Channel
	cfg Config

	mu     sync.Mutex
	tokens float64 // may exceed Burst by granted input bursts
	bonus  float64 // tokens above Burst that came from input
	last   time.Time
}

// Reserve takes one message from the bucket if there is one (returning
// 0), or reports how long until there will be.
func (l *Limiter) Reserve() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.refill(time.Now())
	if l.tokens >= 1 {
		l.tokens--
		l.bonus = max(0, l.bonus-1)
		return 0
	}
	return max(time.Millisecond, time.Duration((1-l.tokens)/l.cfg.Rate*float64(time.Second)))
}

// Pace takes one message from the bucket, waiting until there is one.
func (l *Limiter) Pace(ctx context.Context) error {
	for {
		wait := l.Reserve()
		if wait == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// refill adds what the rate earned since last, up to Burst (plus any
// input bonus not used yet).
func (l *Limiter) refill(now time.Time) {
	l.tokens = min(l.tokens+now.Sub(l.last).Seconds()*l.cfg.Rate, float64(l.cfg.Burst)+l.bonus)
	l.last = now
}

// grant adds an input burst.
func (l *Limiter) grant() {
	l.mu.Lock()
	l.refill(time.Now())
	l.tokens += float64(l.cfg.InputBurst)
	l.bonus += float64(l.cfg.InputBurst)
	l.mu.Unlock()
}

type service struct {
	services.Wrapped
	l *Limiter
}

func (s *service) Command(se services.Session, cmd *api.Command) error {
	if _, ok := cmd.Body.(*api.Command_Input); ok {
		s.l.grant()
	}
	return s.Service.Command(se, cmd)
}
