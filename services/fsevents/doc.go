// Package fsevents is the fsevents service: a channel subscribes to
// directories and files with subscribeFile, and gets a fileEvent for every
// change, whoever made it (a program, another user, the files service).
//
// One [Watcher] (one inotify instance, through fsnotify) serves every
// channel. It watches the directories that subscriptions need, each
// opened through the workspace's os.Root and watched through its
// /proc/self/fd link, so a symbolic link swapped in later cannot point a
// watch outside the workspace. Raw events are gathered for a few
// milliseconds and turned into the protocol's events: renames are paired
// into Move, pid1's temporary files are hidden, a file replaced by a rename
// is a Modify, and bursts are coalesced without losing the final state.
// When the kernel's queue overflows, subscribers get an error and then the
// differences found by a rescan, so nothing is silently dropped.
package fsevents
