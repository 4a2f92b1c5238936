// Package asy serves asyonline's Asymptote protocol over the execution
// core, running Debian's asy in the sandbox:
//
//   - /asy, sub-protocols asyonline.asy+restore and asyonline.asy: files
//     in, a picture (SVG, PDF or PNG) and asy's output back.
//   - /asy/interactive, sub-protocols asyonline.asy.interactive+restore
//     and asyonline.asy.interactive: an Asymptote shell fed from the
//     client's input.
//   - GET /asy/status: {"status": {"announcement": …}}.
//
// A message is a text frame "verb {json}", followed by a binary frame
// when it carries contents. Stage 1, the client sends input {filename}
// with the file's contents (.asy files; with +restore also {filename,
// hash} with contents, or {filename, hash, restore: true} without, to
// reuse a file the server has seen), input {stream: "stdin"} with text
// (interactive), options {duration, format, stderrRedir, verbosity}, and
// start {main}. Stage 2, the server answers missing [{filename, hash}]
// (once, back to stage 1) for files to restore that it no longer has,
// status {queue: {estimate}, announcement} while the task waits, an
// empty output when asy starts, output {stream} with what asy writes,
// result {format} with the picture, and complete {error?}; or deny
// {error} for a task it will not run. The client may lower the duration
// (options {duration}) and, interactive, send more input. When the task
// completes or is denied, the connection closes; closing it aborts the
// run, whose files go with its sandbox.
//
// Tasks wait in a queue of duration classes (fast 3 s, medium 10 s, slow
// 30 s) with nested limits on how many of the longer ones run at once;
// interactive sessions never wait. Restorable files are kept by SHA-256 in
// a bounded cache. The native endpoint and the asy channel service share
// one Asy: its queue, its cache, how a task runs.
//
// Concurrency: Asy and Server are safe for concurrent use. A connection
// has a goroutine reading the client and, in stage 2, one running the
// task; frames are written under a lock so that a text frame and its
// binary frame are never split.
package asy
