// Package engines is the execution core that pid1's code-execution
// engines share: a Request (language, code, input, options, arguments,
// timeout, extra files, output caps) becomes a sandboxed run, the run is
// a stream of Events (started, stdout and stderr chunks, done with the
// status and statistics), and Kill or the end of the caller's context
// stops it.
//
// The protocol adapters below it (engines/ato, and the ranna and asy
// engines) translate a wire protocol to and from these types; none of
// them touches a process or a namespace. The sandbox runs the program and
// the runners say how each language is run.
//
// Concurrency: an Engine is safe for concurrent use. A Run has one
// consumer: Next must not be called from two goroutines at once; Kill may
// be called from any goroutine, any number of times.
package engines
