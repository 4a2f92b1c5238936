// Package packager2 is the packager2 service: `ensurePackages { install,
// file }` makes sure the workspace has what its code imports.
//
// With install, it installs what the workspace's spec (or lock) file
// lists, then guesses from the imports of file (or, without one, of the
// workspace's code) the packages nothing installed provides, and adds
// them with the workspace's package manager (npm, pip or the go command;
// see internal/packager). Without install it only guesses, and says in
// its output what it would add; nothing changes.
//
// Everyone attached gets `state: Running`, the tools' output as `output`
// and `state: Stopped`; only the sender gets `ok` or `error` (the tool's
// own message). A failed or cancelled run leaves the spec and lock files
// byte-identical: cancelled is the channel closed, or the sender leaving
// it before the answer (an ensurePackages is its sender's alone: queued,
// it is dropped; running, its tool is killed). Operations on one workspace run one
// at a time, packager3's included. The channel is meant to be shared:
// attach to the well-known name packager2. Read-only users may watch.
//
// EnsureBeforeRun is the client side that run2 and interp2 use before a
// run when .replit asks for it: it sends ensurePackages on the shared
// channel through a session of pid1's own and waits for the answer,
// passing the output on; when the run is stopped (its ctx ends) it leaves,
// which stops the install if it is still queued or running. It may run on
// any goroutine.
package packager2
