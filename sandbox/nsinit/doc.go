// Package nsinit is the inside half of package sandbox: the helper that
// sets a run up in its fresh namespaces, starts the program, stays as the
// pid namespace's init, and reports how the run went.
//
// The helper is the program's own binary re-executed with EnvMarker set.
// This package catches it in an init function, so it must stay cheap to
// initialise: it imports only small standard packages and x/sys/unix,
// which Go initialises before the heavy dependencies of pid1 (Go runs
// package inits in dependency order, ties broken by import path), and
// init never returns in helper mode. Any binary that links package
// sandbox links this one, so test binaries re-execute themselves without
// a TestMain.
//
// The two halves talk over fd 3, a Unix socket: the sandbox sends one
// Request, the helper answers with one Report when the run is over. Any
// byte the sandbox sends afterwards, or its end of the socket closing,
// tells the helper to kill the run. Stdin, stdout and stderr are fds 0-2
// and go to the program unchanged.
//
// The C helper pid1 ships (cmd/pid1-sandbox-helper) speaks the same wire
// protocol and builds the same root; it also honours Request.UserNS, which
// this helper refuses. A change to Request, Report or the root belongs in
// both, with Version bumped.
//
// Nothing here is safe for concurrent use; the helper is single-purpose.
package nsinit
