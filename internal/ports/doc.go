// Package ports notices the TCP ports the workspace's programs listen on.
//
// A Watcher reads the kernel's table of TCP sockets (/proc/net/tcp and
// /proc/net/tcp6 of pid1's network namespace) every interval, keeps the
// listening ones, and finds the process holding each (the one with the
// socket's inode among its open files). A socket held by pid1 itself, or
// by a process that does not descend from pid1 (or that Config.Owns does
// not accept), is not the workspace's and is left out. Each change is reported once: a Port when a program
// starts listening, and again with Closed set when the socket is gone.
//
// # Concurrency
//
// Start runs one goroutine, which calls the change function; Open may be
// called from any goroutine. Close stops the goroutine and waits for it.
package ports
