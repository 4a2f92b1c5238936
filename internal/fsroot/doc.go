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
// fsync of the directory.
package fsroot
