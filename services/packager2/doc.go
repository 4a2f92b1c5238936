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
// own message). A failed or cancelled (channel closed) run leaves the
// spec and lock files byte-identical. Operations on one workspace run one
// at a time, packager3's included. The channel is meant to be shared:
// attach to the well-known name packager2. Read-only users may watch.
//
// EnsureBeforeRun is the client side that run2 and interp2 use before a
// run when .replit asks for it: it sends ensurePackages on the shared
// channel through a session of pid1's own and waits for the answer,
// passing the output on. It may run on any goroutine.
package packager2
