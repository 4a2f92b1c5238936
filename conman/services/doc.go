// Package services defines what a pid1 service is and how the hub drives it.
//
// A service is bound to one channel. The hub builds one instance per channel
// with a Constructor and then delivers the channel's events to it, in order,
// from a single goroutine (the channel's actor): Attach when a session joins,
// Command for each command a session sends, Detach when it leaves, and Close
// once when the channel is destroyed. A service never touches a socket: it
// hands outgoing commands to its Channel, whose Send routes them by the
// command's session field (the goval convention): 0 is every attached
// session, n > 1 is session n, and -n is every session but n.
//
// Concurrency contract: the event methods are never called concurrently for
// one instance. Channel.Send may be called from any goroutine; the hub
// guarantees a session never receives a channel's traffic before its
// openChanRes or after its closeChanRes. Work that must be ordered with the
// events (for example output that must not interleave with a scrollback
// replay) is run on the actor with Channel.Post.
//
// Middleware is a function from Constructor to Constructor, so it can wrap
// both what comes in (the Service it returns) and what goes out (the Channel
// it hands to the inner constructor). Chain composes middleware with the
// first listed outermost.
package services
