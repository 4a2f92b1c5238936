// Package shellrun2 is the shellrun2 service: one terminal that is a
// shell of its own while nothing runs, and the shared run2 or interp2
// channel while something does, so a client need not switch between the
// three services itself.
//
// runMain looks for a .replit in the workspace: with one it goes to the
// well-known run2 channel, without one to interp2 (the program runs and
// its REPL stays). The service attaches to those channels through pid1's
// own in-process session on the hub, so whoever else is attached to
// them sees the same run, and everything they broadcast (output, state,
// execInfo) reaches this channel's sessions too. Input goes to the active
// program: to run2 until the run ends, to interp2 until clear; otherwise
// to the shell. The shell is this channel's own and is not shared with
// shell or shellrun.
package shellrun2
