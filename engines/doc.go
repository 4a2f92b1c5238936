// Package engines is the execution core that pid1's code-execution
// engines share: a Request (language, code, input or a stream of it,
// options, arguments, environment, timeout, extra files, output caps; or
// a language's interactive shell) becomes a sandboxed run, the run is a
// stream of Events (started when it leaves the sandbox's queue, stdout
// and stderr chunks, done with the status, statistics and collected
// files), and Kill or the end of the caller's context stops it.
//
// The protocol adapters below it (engines/ato, engines/ranna and
// engines/asy) translate a wire protocol to and from these types; none of
// them touches a process or a namespace. The sandbox runs the program and
// the runners say how each language is run.
//
// Concurrency: an Engine is safe for concurrent use. A Run has one
// consumer: Next must not be called from two goroutines at once; Kill may
// be called from any goroutine, any number of times.
package engines
