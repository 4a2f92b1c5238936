package conman

import (
	"log/slog"
	"time"

	"github.com/pid1/pid1/internal/wire"
	"github.com/pid1/pid1/services"
)

// Config holds the hub's collaborators and limits. Zero limits take the
// defaults below.
type Config struct {
	Registry *services.Registry
	// Authenticate checks the token from /wsv2/{token}. An error refuses
	// the upgrade with HTTP 401 and the error's text.
	Authenticate func(token string) (services.User, error)
	Logger       *slog.Logger

	MaxFrameBytes         int64         // largest frame a client may send (close 1009 beyond)
	MaxChannelsPerSession int           // open channels per session
	MaxSessions           int           // concurrent sessions
	QueueFrames           int           // outgoing frames buffered per session
	QueueBytes            int           // outgoing bytes buffered per session
	WriteTimeout          time.Duration // one frame write; a client slower than this is dropped
	InboxDepth            int           // commands one channel may have pending from clients
	// StallTimeout is how long a frame that has begun may go without a
	// byte arriving before the connection is dropped (idle time between
	// frames is not limited).
	StallTimeout time.Duration
	// OriginPatterns lists the Origin hosts allowed to connect (as in
	// coder/websocket). Empty allows any origin: the token is the credential.
	OriginPatterns []string
}

// Defaults for zero Config fields.
const (
	DefaultMaxFrameBytes         = 16 << 20
	DefaultMaxChannelsPerSession = 256
	DefaultMaxSessions           = 1024
	DefaultQueueFrames           = 4096
	DefaultQueueBytes            = 64 << 20
	DefaultWriteTimeout          = 10 * time.Second
	DefaultInboxDepth            = 256
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
	if c.MaxSessions <= 0 {
		c.MaxSessions = DefaultMaxSessions
	}
	if c.QueueFrames <= 0 {
		c.QueueFrames = DefaultQueueFrames
	}
	if c.QueueBytes <= 0 {
		c.QueueBytes = DefaultQueueBytes
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = DefaultWriteTimeout
	}
	if c.StallTimeout <= 0 {
		c.StallTimeout = wire.DefaultStall
	}
	if c.InboxDepth <= 0 {
		c.InboxDepth = DefaultInboxDepth
	}
}
