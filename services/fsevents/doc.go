// Package fsevents is the fsevents service: a channel subscribes to
// directories and files with subscribeFile, and gets a fileEvent for every
// change, whoever made it (a program, another user, the files service).
// The workspace's one fswatch.Watcher serves every channel; see that
// package for how events are found, paired and coalesced, and what happens
// when the kernel's queue overflows.
package fsevents
