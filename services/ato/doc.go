// Package ato is the ato service: Attempt This Online's runs on the goval
// socket, over the same execution core as pid1's native ATO endpoints.
//
// `atoRun { language, code, input, options, arguments, timeout }` starts
// a sandboxed run; its output goes to every session attached as
// `atoOutput { stream, data }` as it arrives (chunks of at most 16 KiB,
// 128 KiB a stream), and the sender is answered with `atoDone { ... }`
// (status and statistics; the others get it too, without the ref). One
// run at a time: another atoRun meanwhile is refused. `atoKill {}` kills
// the run (answered `ok`); so does its sender leaving the channel, or the
// channel closing. Users whose token does not allow writing may watch but
// not run or kill. Without an engine (pid1's engines off) atoRun is
// refused, saying so.
//
// Concurrency: the service's state lives on the channel's actor; one
// goroutine the channel owns reads each run's events and sends them.
package ato
