// Package packager is what pid1's package management (the packager2 and
// packager3 services) is built on: one Backend per ecosystem (nodejs,
// python, go: one package each beneath this one), each driving that
// ecosystem's own tool (npm, pip, the go command) and never doing what the
// tool does itself, and the pieces every backend shares.
//
// A Backend searches its registry and describes a package (over HTTP, from
// the registry the tool's own configuration names), adds and removes
// packages, locks and installs, lists its spec file and lock file, and
// guesses from the workspace's imports which packages the code needs. It
// runs its tool through a Workspace, which the services implement: every
// process goes through the channel's supervisor and the reaper, as the
// workspace's user, with the environment its programs get, and its output
// reaches the sessions attached while it runs.
//
// Choose picks the backend from the workspace's .replit and its files.
// Files saves the spec and lock files before an operation so that a failed
// or cancelled one leaves them byte-identical (Restore). Lock serialises
// operations on one workspace across channels and services.
//
// # Concurrency
//
// Backends hold no state: their methods may run concurrently, but
// operations that change a workspace must hold its Lock. Choose, Files and
// the scanning helpers read the workspace and may run anywhere.
package packager
