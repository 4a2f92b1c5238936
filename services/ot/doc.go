// Package ot is the ot service: one collaboratively edited text buffer per
// channel, optionally linked to a file in the workspace. Clients share a
// buffer by attaching to the same channel name (by convention "ot:" and the
// file's path).
//
// The buffer is a history of numbered versions. A client sends an op made
// against the version it last saw; the service transforms it against every
// op committed since, one at a time (the committed op wins ties, as in
// ShareJS's text-unicode), applies it, and broadcasts the committed packet
// (version, op, CRC-32 of the whole text, time, user) to every attached
// session, sender included, followed by `ok` to the sender. Clients that
// reconnect fetch what they missed with otFetchRequest.
//
// A linked buffer is written to its file only on flush (atomically, and on
// channel close or shutdown if it holds unflushed changes). When the file
// changes on disk by other means, the change is diffed, merged with the
// buffer's unflushed edits, and committed as an op from user 0.
//
// With an op log (Config.Log, package otlog), a linked buffer with edits
// its file lacks logs each version durably before it is broadcast and
// acknowledged, so that pid1 can recover it into the file after a crash.
// The log's writer runs on a goroutine the channel owns and covers every
// version committed meanwhile with one fsync; until it reports, the
// service's output waits in order on the actor (held), which goes on
// taking commands, so one buffer's fsync holds up neither its own
// commands nor other channels.
//
// Cursors are kept with the buffer, moved by every op and relayed to the
// other sessions. History is bounded; fetches or ops that reach past what
// is kept get an error that says so.
package ot
