// Package exec is the exec service: it runs one command at a time in the
// workspace and streams its output to every session attached.
//
// On attach a session gets the current `state` (Stopped or Running).
// `exec { args, env, blocking | lifecycle, splitStderr }` broadcasts
// `state: Running`, then the command's output as `output` commands (stderr
// merged in, or as `stderr` with splitStderr), then answers the request
// with `ok` or `error: "exit status N"` (carrying its ref) and broadcasts
// `state: Stopped`. While a command runs, a non-blocking exec is refused
// with "Already running" and a blocking one (blocking: true or lifecycle
// BLOCKING) waits its turn. With lifecycle STDIN, `input` feeds the
// command's stdin and `inputClose` closes it.
//
// Every command is started through the reaper (the single owner of wait
// statuses), in its own process group, with `env` laid over pid1's
// environment. Closing the channel kills the group. Users whose token does
// not allow writing may watch but not run commands.
package exec
