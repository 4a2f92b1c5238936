// Package ranna is the ranna service: ranna's runs on the goval socket,
// over the same execution core and language map as pid1's native ranna
// endpoints (/v1/ws, /v1/exec).
//
// `rannaExec { language, code, inline_expression, arguments,
// environment, stdin }` starts a run (ranna's ExecutionRequest); several
// may go at once on a channel. Its sender hears `rannaSpawn { runid }`
// when it starts, `rannaLog { runid, stdout | stderr }` as it writes, and
// `rannaStop { runid, exectimems, exitcode, signal, timedout, killed,
// truncated, error }` when it ends, each with the rannaExec's ref (as
// ranna's events carry the operation's nonce); everyone else attached
// gets the same without the ref. `rannaKill { runid }` kills one of the
// sender's own runs (answered `ok`); so does the sender leaving the
// channel, and the channel closing kills them all. Requests ranna
// refuses are refused with ranna's words. Users whose token does not
// allow writing may watch but not run or kill. Without an engine
// rannaExec is refused, saying so.
//
// Concurrency: the service's state lives on the channel's actor; each
// run has a goroutine the channel owns that reads its events and sends
// them.
package ranna
