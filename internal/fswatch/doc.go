// Package fswatch watches the workspace for changes, for every part of
// pid1 that must hear of them: the fsevents service, the ot service (a
// linked file changed on disk) and pid1's own set-up.
//
// One Watcher (one inotify instance, through fsnotify) serves every
// subscriber. It watches the directories that subscriptions need, each
// opened through the workspace's os.Root and watched through its
// /proc/self/fd link, so a symbolic link swapped in later cannot point a
// watch outside the workspace. Raw events are gathered for a few
// milliseconds and turned into the protocol's events: renames are paired
// into Move, pid1's temporary files are hidden, a file replaced by a rename
// is a Modify, and bursts are coalesced without losing the final state.
// When the kernel's queue overflows, subscribers get an error and then the
// differences found by a rescan, so nothing is silently dropped.
//
// # Concurrency
//
// A Watcher's methods are safe for concurrent use. Each subscription's
// deliver function is called on the watcher's goroutine, in order; it
// must not block.
package fswatch
