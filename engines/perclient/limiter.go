package perclient

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"time"
)

// Config sets a Limiter's limits; a zero field turns its limit off.
type Config struct {
	// Concurrent is how many may be held at once per client.
	Concurrent int
	// PerMinute is the sustained rate of acquisitions per client, and
	// Burst how many may come at once after a quiet spell (default
	// PerMinute).
	PerMinute float64
	Burst     int
	// MaxClients bounds the clients tracked at once (default 100000);
	// when that many are busy, new ones are refused.
	MaxClients int
	// What is held, for the refusal's text ("runs", "connections").
	What string
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
}

// epsilon absorbs the rounding of refills: 10 s at 6 a minute is one
// token, not 0.9999….
const epsilon = 1e-9

// Refusal is why a client may not go ahead.
type Refusal struct {
	Reason     string
	RetryAfter time.Duration // 0: when something it holds is released
}

func (r *Refusal) Error() string { return r.Reason }

// Limiter counts what each client holds and how often it acquires.
type Limiter struct {
	cfg Config

	mu      sync.Mutex
	clients map[string]*client
	swept   time.Time // when idle clients were last forgotten
}

type client struct {
	held   int
	tokens float64
	at     time.Time // when tokens was last brought up to date
}

// New makes a Limiter.
func New(cfg Config) *Limiter {
	if cfg.Burst <= 0 {
		cfg.Burst = int(math.Ceil(cfg.PerMinute))
	}
	if cfg.MaxClients <= 0 {
		cfg.MaxClients = 100000
	}
	if cfg.What == "" {
		cfg.What = "requests"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Limiter{cfg: cfg, clients: make(map[string]*client)}
}

// Acquire takes one slot for key, or says why it may not. Each
// successful Acquire must be followed by one call of the returned
// release (later calls do nothing).
func (l *Limiter) Acquire(key string) (release func(), err error) {
	if l == nil {
		return func() {}, nil
	}
	now := l.cfg.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) >= time.Minute {
		l.sweep(now)
	}
	c := l.clients[key]
	if c == nil {
		if len(l.clients) >= l.cfg.MaxClients {
			l.sweep(now)
		}
		if len(l.clients) >= l.cfg.MaxClients {
			return nil, &Refusal{Reason: fmt.Sprintf("server busy: %d clients active", len(l.clients)), RetryAfter: time.Second}
		}
		c = &client{tokens: float64(l.cfg.Burst), at: now}
		l.clients[key] = c
	}
	if l.cfg.Concurrent > 0 && c.held >= l.cfg.Concurrent {
		return nil, &Refusal{Reason: fmt.Sprintf("too many %s at once %s (limit %d)", l.cfg.What, whose(key), l.cfg.Concurrent)}
	}
	if l.cfg.PerMinute > 0 {
		l.refill(c, now)
		if c.tokens < 1-epsilon {
			wait := time.Duration((1 - c.tokens) / l.cfg.PerMinute * float64(time.Minute))
			secs := int(math.Ceil(wait.Seconds()))
			return nil, &Refusal{
				Reason:     fmt.Sprintf("too many %s %s (limit %g a minute); retry in %d s", l.cfg.What, whose(key), l.cfg.PerMinute, secs),
				RetryAfter: wait,
			}
		}
		c.tokens = max(0, c.tokens-1)
	}
	c.held++
	var once sync.Once
	return func() { once.Do(func() { l.release(key, c) }) }, nil
}

func (l *Limiter) release(key string, c *client) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c.held--
	if c.held == 0 && l.idle(c, l.cfg.Now()) {
		delete(l.clients, key)
	}
}

// refill brings c's bucket up to now.
func (l *Limiter) refill(c *client, now time.Time) {
	if d := now.Sub(c.at); d > 0 {
		c.tokens = min(float64(l.cfg.Burst), c.tokens+d.Minutes()*l.cfg.PerMinute)
		c.at = now
	}
}

// idle reports whether forgetting c loses nothing: it holds nothing and
// its bucket is full.
func (l *Limiter) idle(c *client, now time.Time) bool {
	if c.held > 0 {
		return false
	}
	if l.cfg.PerMinute <= 0 {
		return true
	}
	l.refill(c, now)
	return c.tokens >= float64(l.cfg.Burst)-epsilon
}

// sweep forgets the idle clients. Acquire sweeps once a minute, and
// when the table is full.
func (l *Limiter) sweep(now time.Time) {
	l.swept = now
	for k, c := range l.clients {
		if l.idle(c, now) {
			delete(l.clients, k)
		}
	}
}

// Clients is how many clients are tracked now.
func (l *Limiter) Clients() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.clients)
}

// whose says in a refusal whose limit it is: a user's (keys "user:…")
// or, for every other key, a client address's.
func whose(key string) string {
	if strings.HasPrefix(key, "user:") {
		return "for your account"
	}
	return "from your address"
}
