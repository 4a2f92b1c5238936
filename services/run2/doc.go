// Package run2 is the run2 service: runMain {} runs the workspace's
// program (package language: .replit, or detected from its files) on a
// pty, compiling it first when the language has a compile step.
//
// Every session attached gets `state` on attach. runMain broadcasts
// `state: Running`, then `execInfo { command, reason }` for each step
// ("compile", then "run") before it starts, the program's `output`, an
// `error: "exit status N"` if a step fails, and `state: Stopped`. A
// runMain while a program runs kills it and starts again. `clear {}`
// stops the program and empties the scrollback, which also empties on
// each run. `input`, `resizeTerm` and `saneTerm` go to the pty (termed).
//
// Made with EnsuringDescriptor, a run whose .replit says [packager.features]
// guessImports = true first calls its EnsurePackages (pid1: packager2's
// ensurePackages), off the actor, the tools' output on the terminal; the
// first step starts when it returns, unless clear or runMain came first:
// they cancel its context, which (pid1's) stops the install as well.
package run2
