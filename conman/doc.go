// Package conman is pid1's channel multiplexer (the hub).
//
// It upgrades /wsv2/{token} to a WebSocket after authenticating the token,
// numbers each connection as a session (from 2 upward), answers channel 0
// (openChan, closeChan, ping) and routes every other frame to the service
// instance bound to its channel. It knows no service by name: services come
// from a services.Registry.
//
// # Concurrency
//
// Per session: one reader goroutine (the HTTP handler) decodes frames and
// handles channel 0 inline, and one writer goroutine drains the session's
// bounded outgoing queue. Per channel: one actor goroutine delivers attach,
// command and detach events to the service in order.
//
// Membership of a channel is guarded by the channel's mutex; a reply that
// changes membership (openChanRes, closeChanRes) is queued under that same
// lock, so a session never sees a channel's traffic before its openChanRes or
// after its closeChanRes. Fan-out encodes a command once and appends the same
// bytes to every recipient's queue (a frame of 64 KiB or more in a pooled
// buffer, counted by reference, which the last writer gives back); a
// recipient whose queue is full is disconnected (close 1013) rather than
// slowing anyone else.
//
// Lock order: Hub.mu before channel.mu before session.mu; outQueue.mu is a
// leaf. No lock is held while calling into a service.
package conman
