// Package packagerwork runs a packager channel's operations: the part packager2
// and packager3 share.
//
// A Worker takes operations from its channel's actor (Submit) and runs
// them one at a time on a goroutine the channel owns. Each holds the
// workspace's packager.Lock while it runs, so that operations of every
// packager channel (and both services) on one workspace are serialised; a
// later one waits its turn. An operation that changes the workspace
// broadcasts `state: Running` when it starts and `state: Stopped` when it
// ends, with the tools' output between them as `output`, and saves the
// backend's spec and lock files first: if it fails or its channel closes
// while it runs, they are put back as they were, byte for byte. Queries
// that only read a registry (Query) run at once, beside the queue.
//
// An operation marked StopsWithSender (packager2's ensurePackages, which
// run2 and interp2 send before a run) belongs to its sender: when the
// sender leaves the channel (Detach), it is dropped from the queue or, if
// it runs, stopped like one whose channel closed (its tool's process
// group killed, its files put back). Nobody else's operation is touched.
//
// The tools run through the channel's jobs.Supervisor and so the reaper,
// as the workspace's user, with its programs' environment (jobs.Deps),
// each in its own process group: closing the channel kills the one
// running.
//
// # Concurrency
//
// Submit, Attach, Detach, Drain and Close run on the channel's actor. Operations
// run on the worker's goroutine; queries on goroutines of their own.
package packagerwork
