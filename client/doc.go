// Package client is a Go client for pid1's goval protocol: connect with a
// token, open, attach and close channels, send commands, make requests that
// resolve by ref, and read every command a channel receives as a stream.
//
// It is used by conman-repl, the end-to-end tests and the benchmarks.
//
// Concurrency: all methods are safe for concurrent use. One goroutine reads
// the socket and dispatches; it never blocks on a consumer, because each
// channel's stream is an unbounded queue (a consumer that never reads costs
// memory, not progress).
package client
