package services

import (
	"context"
	"log/slog"

	"github.com/pid1/pid1/api"
)

// User is the identity a session's token carries.
type User struct {
	ID       uint32
	Name     string
	CanWrite bool
}

// Session is one client connection as seen by a service.
type Session struct {
	ID   int32 // unique per pid1 process, from 2 upward
	User User
}

// Service is one instance of a service, bound to one channel. It may also
// implement Attacher, Detacher, Closer and Drainer to hear of the
// channel's life; a service that needs none of them has no empty methods.
type Service interface {
	// Command handles one command from s. A returned error becomes an
	// `error` command to s carrying cmd's ref (see Error for how its kind
	// is shown). Commands the descriptor declares in Writes never reach
	// the service from a read-only session.
	Command(s Session, cmd *api.Command) error
}

// Attacher is a service that wants to know who joins its channel.
type Attacher interface {
	// Attach is called when s joins the channel, after its openChanRes was
	// queued, so anything sent to s here arrives after that reply.
	Attach(s Session)
}

// Detacher is a service that wants to know who leaves its channel.
type Detacher interface {
	// Detach is called when s leaves the channel (close or disconnect);
	// nothing sent to s afterwards reaches it.
	Detach(s Session)
}

// Closer is a service that holds something to release when its channel
// is destroyed.
type Closer interface {
	// Close is called once when the channel is destroyed. After it returns
	// the service must not send any more.
	Close()
}

// Drainer is a service that can end gracefully. At shutdown the hub
// drains every channel before it closes any: a service asks its programs
// to end (SIGTERM, so they can save) and writes out what it holds, and
// returns when that is done or ctx ends. Close follows and kills what is
// left. Drain runs on the channel's actor.
type Drainer interface {
	Drain(ctx context.Context)
}

// Attach tells svc that s joined, if svc wants to know.
func Attach(svc Service, s Session) {
	if a, ok := svc.(Attacher); ok {
		a.Attach(s)
	}
}

// Detach tells svc that s left, if svc wants to know.
func Detach(svc Service, s Session) {
	if d, ok := svc.(Detacher); ok {
		d.Detach(s)
	}
}

// Drain drains svc, if it can end gracefully.
func Drain(ctx context.Context, svc Service) {
	if d, ok := svc.(Drainer); ok {
		d.Drain(ctx)
	}
}

// Close closes svc, if it holds anything.
func Close(svc Service) {
	if c, ok := svc.(Closer); ok {
		c.Close()
	}
}

// Info describes the channel a service instance is bound to.
type Info struct {
	ID      int32  // channel id, unique per pid1 process, never 0
	Service string // the registered service name
	Name    string // the channel name; "" for an anonymous channel
}

// Channel is a service instance's handle on its channel.
type Channel interface {
	Info() Info
	// Send routes cmd by cmd.Session (0: all attached sessions, n > 1:
	// session n, -n: all but session n). The hub sets cmd.Channel. Send
	// never blocks on a slow client. It encodes cmd before it returns, so
	// the caller may reuse cmd's buffers afterwards; a wrapper that keeps
	// any part of cmd past Send must copy it.
	Send(cmd *api.Command)
	// Post runs fn on the channel's actor goroutine, ordered with the
	// events. It returns false if the channel is closed.
	Post(fn func()) bool
	// Go runs fn on a goroutine the channel owns: the hub waits for it at
	// shutdown, so a service leaves nothing running behind it. fn's
	// context ends when the channel closes; fn must return soon after.
	// Go returns false, without running fn, if the channel is closed.
	Go(fn func(ctx context.Context)) bool
	// Sessions lists the sessions attached now.
	Sessions() []Session
	// Throttle waits until every attached session has at most limit bytes
	// waiting to reach it, so that a producer that can wait (a pty reader)
	// keeps what pid1 holds bounded instead of filling a slow client's
	// queue. A session that stays above limit for longer than the hub's
	// slow-viewer grace while another attached session is keeping up is
	// disconnected (close 1013), so one stalled viewer cannot hold back
	// the others; when every attached session is behind (a lone viewer
	// on a slow link) Throttle just waits. It returns false if done is
	// closed or the channel closes first.
	Throttle(limit int, done <-chan struct{}) bool
	// Context is cancelled when the channel is closed.
	Context() context.Context
	Logger() *slog.Logger
}

// Constructor builds the service instance for a new channel. An error
// refuses the channel (the client gets openChanRes ERROR with its text).
type Constructor func(ch Channel) (Service, error)

// Middleware wraps a constructor. It may wrap the Channel handed to the
// inner constructor (outgoing) and the Service it returns (incoming).
type Middleware func(Constructor) Constructor

// Chain wraps c with mws so that the first middleware listed is outermost:
// it sees incoming events first and outgoing commands last.
func Chain(c Constructor, mws ...Middleware) Constructor {
	for i := len(mws) - 1; i >= 0; i-- {
		c = mws[i](c)
	}
	return c
}
