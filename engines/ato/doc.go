// Package ato serves Attempt This Online's API over the execution core:
//
//   - GET /api/v0/ws/execute: one binary msgpack request, one binary
//     msgpack reply (stdout ≤ 128 KiB, stderr ≤ 32 KiB, the status and
//     statistics), then close 1000.
//   - GET /api/v1/ws/execute: the same request; output streamed as
//     {Stdout: bin} and {Stderr: bin} chunks of at most 16 KiB (128 KiB
//     per stream), then {Done: {...}}. The msgpack string "Kill" kills the
//     run; the connection takes the next request after Done; a client that
//     goes away kills its run.
//   - GET /api/v0/metadata (msgpack) and GET /languages.json (JSON): the
//     languages.
//
// Every field of a request but language and code is optional (timeout
// defaults to 60, in 1–60); strings and arrays of byte values stand for
// binaries. Bad requests close the connection with ATO's codes and each
// version's own reasons: 1003 for a text message, 1008 for an invalid
// request (undecodable, wrong types, trailing bytes, a NUL byte in an
// argument or option, an unknown language, a timeout out of range), 1009
// over 65,536 bytes, 1011 for an internal failure, and 1013 when the
// client is over its limits or the server is full.
//
// Concurrency: each connection has a goroutine that reads and one that
// runs requests and writes their events; Server is safe for concurrent
// use.
package ato
