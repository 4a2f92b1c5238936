// Package shell is the shell service: $SHELL (bash by default) on a pty,
// shared by every session attached to the channel.
//
// Input goes to the pty and output to every session (termed); a session
// that attaches later first gets the scrollback (scrollback); output is
// paced (rateLimit). When the shell exits the service broadcasts
// `state: Stopped` and starts a new one at once, in the same terminal
// (after a second's pause if shells keep dying within a second of
// starting). Closing the channel kills the shell's process group.
package shell
