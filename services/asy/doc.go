// Package asy is the asy service: asyonline's Asymptote tasks on the
// goval socket, sharing the queue and the restore cache of pid1's native
// /asy endpoints.
//
// `asyRun { files, main, format, duration, stderrApart, verbosity,
// interactive, stdin }` runs one task: files are `{ filename, contents }`
// (.asy files; with `hash`, the server remembers the contents; with
// `restore: true` and the hash, it takes them from what it remembers).
// When some file to restore is gone, the sender is answered `asyMissing
// { files }` and nothing runs: send them again with their contents.
// While the task waits its turn, everyone attached hears `asyStatus {
// estimate, announcement }`; an empty `asyOutput {}` marks asy's start,
// then `asyOutput { stream, data }` carries what asy writes, `asyResult
// { format, image }` the picture, and the sender is answered
// `asyComplete { error }` (asyonline's error texts; everyone else gets it
// too, without the ref). A task the server will not run is refused with
// its reason. One task at a time; `asyOptions { duration }` lowers the
// running task's time limit, `asyInput { data }` feeds an interactive
// task, `asyKill {}` aborts it (so does the sender leaving, or the
// channel closing). Users whose token does not allow writing may watch
// but not run, feed or abort. Without the engines asyRun is refused,
// saying so.
//
// Concurrency: the service's state lives on the channel's actor; one
// goroutine the channel owns runs the task and sends its progress.
package asy
