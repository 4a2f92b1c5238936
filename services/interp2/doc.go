// Package interp2 is the interp2 service: the language's REPL on a pty,
// started as soon as the channel opens.
//
// runMain {} runs the workspace's main file and drops into the REPL in
// its context (python3: the file runs in __main__; nodejs: its exports
// are in the REPL's scope), broadcasting `state: Running` while user code
// runs and `state: Stopped` when the REPL prompts again. clear {} kills
// the REPL and starts a fresh one. input, resizeTerm and saneTerm go to
// the pty (termed). Made with EnsuringDescriptor, a runMain whose .replit
// says [packager.features] guessImports = true first stops the REPL and
// calls its EnsurePackages (pid1: packager2's ensurePackages), as run2
// does.
//
// The REPLs are started with a prompt that carries a private OSC escape
// sequence (terminals ignore unknown ones); a channel wrapper between
// termed and the client removes it from the output and tells the service
// that the REPL is waiting for input. That is how interp2 knows the user's
// code has finished without guessing from the text.
package interp2
