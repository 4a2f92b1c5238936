// Package termed is the middleware that gives a service a pty.
//
// A terminal service is built from a Ctor, which receives its Terminal, so
// that needing a pty is a fact of its type; it starts its programs on the
// pty with Spec. termed streams what the pty prints as
// `output` to every attached session and handles, for the service:
// `input` (written to the pty), `resizeTerm { rows, cols }` and
// `saneTerm {}`. Everything else goes to the service.
//
// Output is cut at UTF-8 boundaries and sent on the channel's actor, so it
// is ordered with the service's own messages. The reader and the input
// writer are goroutines the channel owns (Channel.Go). While a Pacer (rateLimit)
// allows no message, the reader gathers output into the next one, up to
// 1 MiB: output is coalesced into fewer, larger messages. When a message
// is full, or any attached session still has more than 1 MiB to receive,
// the reader stops reading: the program writing to the pty is then
// blocked by the kernel, which is the back pressure. A session that stays
// more than 1 MiB behind for longer than the hub's slow-viewer grace is
// disconnected (close 1013) rather than holding everyone back. Nothing is
// dropped for the sessions that keep up, and pid1 holds at most about
// 2 MiB per session for a terminal.
package termed
