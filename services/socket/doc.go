// Package socket is the socket service: a TCP connection from inside the
// container, driven over a channel.
//
// `connect { proto: "tcp", addr: "host:port" }` opens the connection and
// is answered `ok` once it is up, or an error saying why not. By default
// only loopback destinations are allowed (the address is checked after
// name resolution, on the address actually dialled);
// Config.AnyDestination lifts that. `send { buff }` writes bytes to it;
// what arrives is broadcast as `recv { buff }` to every session attached,
// in order; `disconnect {}` closes it. However it ends, everyone attached
// gets `disconnect { error }`: empty when the peer closed it or a client
// asked, the error otherwise. A channel holds one connection at a time;
// after a disconnect it may connect again. Read-only sessions may watch,
// but not connect, send or disconnect.
//
// # Concurrency
//
// The service's fields are used on the channel's actor. Each connection
// has two goroutines the channel owns: one reads (posting each chunk to
// the actor and waiting, and holding back while a session is behind, so
// a fast peer cannot fill pid1's memory), one writes what `send` queued
// (bounded by internal/feed). A dial runs on a goroutine of its own.
package socket
