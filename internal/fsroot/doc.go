// Package fsroot gives services safe access to the workspace directory.
//
// Every path a client sends goes through [Clean] and then through a [Dir],
// which resolves it with an [os.Root]: nothing reached through a Dir can be
// outside the workspace, whether by "..", an absolute path, a NUL byte or a
// symbolic link, including a link swapped in between a check and a use.
//
// Errors read like Go's os errors ("open a.txt: no such file or directory")
// with the client's path in them, because clients match on that text.
// Writes are atomic: a temporary file in the same directory, fsync, rename,
// fsync of the directory. Temporary files are named .~pid1-*; listings,
// file events and snapshots never show them, and [Dir.RemoveStale] removes
// those a killed pid1 left behind.
//
// For snapshots a Dir also walks and reads without following any link at
// all ([Dir.Tree], [Dir.OpenNoFollow]: descriptors opened relative to their
// parent with O_NOFOLLOW, or openat2 with RESOLVE_NO_SYMLINKS), and builds a
// whole new tree beside the workspace's contents to swap in at once
// ([Stage]).
//
// A Dir is safe for concurrent use; a Stage is built by one goroutine (see
// its doc for what may run in parallel).
package fsroot
