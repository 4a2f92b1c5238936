package conman

import (
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/internal/wire"
)

// Config holds the hub's collaborators and limits. Zero limits take the
// defaults below.
type Config struct {
	Registry *services.Registry
	// Authenticate checks the token from /wsv2/{token}. An error refuses
	// the upgrade with HTTP 401 and the error's text.
	Authenticate func(token string) (services.User, error)
	Logger       *slog.Logger

	MaxFrameBytes         int64 // largest frame a client may send (close 1009 beyond)
	MaxChannelsPerSession int   // open channels per session
	MaxSessions           int   // concurrent sessions
	MaxSessionsPerUser    int   // concurrent sessions of one user
	// MaxProcessChannelsPerUser bounds the channels running a process
	// (shells, REPLs: services.Descriptor.Starts) that one user has
	// created and that are still open.
	MaxProcessChannelsPerUser int
	// IdleChannelTimeout closes a named channel running a process once
	// nobody has been attached to it for this long (its process is
	// killed, its scrollback dropped). Negative never closes them.
	IdleChannelTimeout time.Duration

	// Collectors are more series for /metrics beside the hub's own (the
	// sandbox's, when pid1 runs engines).
	Collectors  []prometheus.Collector
	QueueFrames int // outgoing frames buffered per session
	QueueBytes  int // outgoing bytes buffered per session
	// MemoryBudget bounds the bytes queued for clients across all
	// sessions; one user's sessions may hold half of it. Zero takes a
	// quarter of the memory pid1 may use (its cgroup's limit, or the
	// machine's memory), at most DefaultMemoryBudget.
	MemoryBudget int64
	WriteTimeout time.Duration // one frame write; a client slower than this is dropped
	InboxDepth   int           // commands one channel may have pending from clients
	// SlowViewerGrace is how long a session may stay too far behind on a
	// shared channel whose producer waits for its viewers (a terminal)
	// before it is disconnected, so the others do not wait on it longer.
	SlowViewerGrace time.Duration
	// StallTimeout is how long a frame that has begun may go without a
	// byte arriving before the connection is dropped (idle time between
	// frames is not limited).
	StallTimeout time.Duration
	// OriginPatterns lists the Origin hosts allowed to connect (as in
	// coder/websocket). Empty allows any origin: the token is the credential.
	OriginPatterns []string
	// Greeting, if set, lists channel-0 commands each session gets after
	// READY: the state that Hub.Announce then keeps it up to date on
	// (the ports open now).
	Greeting func() []*api.Command
}

// Defaults for zero Config fields.
const (
	DefaultMaxFrameBytes         = 16 << 20
	DefaultMaxChannelsPerSession = 256
	DefaultMaxSessions           = 1024
	DefaultMaxSessionsPerUser    = 64
	// DefaultMaxProcessChannelsPerUser is the default bound on one user's
	// open channels that run a process.
	DefaultMaxProcessChannelsPerUser = 32
	// DefaultIdleChannelTimeout is how long a named process channel with
	// nobody attached lives by default.
	DefaultIdleChannelTimeout = 30 * time.Minute
	DefaultQueueFrames        = 4096
	DefaultQueueBytes         = 64 << 20
	DefaultMemoryBudget       = 2 << 30
	DefaultWriteTimeout       = 10 * time.Second
	DefaultInboxDepth         = 256
	DefaultSlowViewerGrace    = 150 * time.Millisecond
)

func (c *Config) withDefaults() {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Registry == nil {
		c.Registry = services.NewRegistry()
	}
	if c.MaxFrameBytes <= 0 {
		c.MaxFrameBytes = DefaultMaxFrameBytes
	}
	if c.MaxChannelsPerSession <= 0 {
		c.MaxChannelsPerSession = DefaultMaxChannelsPerSession
	}
	if c.MaxSessionsPerUser <= 0 {
		c.MaxSessionsPerUser = DefaultMaxSessionsPerUser
	}
	if c.MaxProcessChannelsPerUser <= 0 {
		c.MaxProcessChannelsPerUser = DefaultMaxProcessChannelsPerUser
	}
	if c.IdleChannelTimeout == 0 {
		c.IdleChannelTimeout = DefaultIdleChannelTimeout
	}
	if c.MaxSessions <= 0 {
		c.MaxSessions = DefaultMaxSessions
	}
	if c.QueueFrames <= 0 {
		c.QueueFrames = DefaultQueueFrames
	}
	c.MemoryBudget = MemoryBudget(c.MemoryBudget)
	if c.QueueBytes <= 0 {
		c.QueueBytes = DefaultQueueBytes
	}
	c.QueueBytes = int(min(int64(c.QueueBytes), c.MemoryBudget/4))
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = DefaultWriteTimeout
	}
	if c.SlowViewerGrace <= 0 {
		c.SlowViewerGrace = DefaultSlowViewerGrace
	}
	if c.StallTimeout <= 0 {
		c.StallTimeout = wire.DefaultStall
	}
	if c.InboxDepth <= 0 {
		c.InboxDepth = DefaultInboxDepth
	}
}

// MemoryBudget is the budget a Config with MemoryBudget set to configured
// gets: configured itself, or, for zero, a quarter of the memory pid1 may
// use (its cgroup's limit, or the machine's memory), at most
// DefaultMemoryBudget.
func MemoryBudget(configured int64) int64 {
	if configured > 0 {
		return configured
	}
	return min(memoryAvailable()/4, DefaultMemoryBudget)
}
