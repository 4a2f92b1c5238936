// Package proctest finds the processes a test's code started and waits
// for them to end, from /proc, so that a test can check that stopping
// something killed its processes.
//
// A Proc is told apart from a later process that reuses its pid by its
// start time. The functions may be called from any goroutine.
package proctest
