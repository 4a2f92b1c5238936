// Package ranna serves ranna's API (github.com/ranna-go/ranna, v1) over
// the execution core:
//
//   - GET /v1/ws: JSON text frames. Operations {op, nonce?, args}: 0 PING,
//     1 EXEC (args: an ExecutionRequest), 2 KILL (args: {runid}). Events
//     {code, nonce?, data}: 0 PONG ("Pong!"), 1 ERROR ({code, message}),
//     2 SPAWN ({runid}, when the run leaves the queue), 3 LOG ({runid,
//     stdout} or {runid, stderr}, as the program writes), 4 STOP ({runid,
//     exectimems} and the extra fields exitcode, signal, timedout, killed,
//     truncated). Every event an operation causes carries its nonce;
//     several runs may go at once on one socket.
//   - POST /v1/exec: an ExecutionRequest, answered with {stdout, stderr,
//     exectimems} and the same extra fields.
//   - GET /v1/spec: the language spec map; GET /v1/info: the server.
//
// An ExecutionRequest is {language, code, inline_expression, arguments,
// environment}, plus an optional stdin. Languages go by ranna's names
// (python3, golang, c, cpp, node, ...) and their aliases (py, go, c++,
// js, ...), mapped onto the built-in runners; inline_expression wraps
// the code in the language's template, moving its imports to the top.
//
// Where ranna falls short, this server does better (ranna's issue 5 and
// its code): each connection is its own session, KILL kills only that
// connection's runs, STOP and the REST answer carry the exit code and
// whether the run timed out or was killed, output past its cap is
// truncated with an ERROR saying so (not all thrown away), and input can
// be given. Errors have ranna's shape: {error, code} over REST (400 for
// a bad request), {code, message} in an ERROR event.
//
// Concurrency: a Server is safe for concurrent use. Each connection has
// one goroutine reading operations and one per run writing its events;
// writes to a connection are serialised by the WebSocket library.
package ranna
