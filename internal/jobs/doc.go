// Package jobs runs the processes of pid1's services.
//
// Deps is the one set of dependencies every service that starts
// processes is built with: the reaper that owns their wait statuses, the
// workspace they run in and the environment they start from. Supervisor
// owns a process from spawn to the exit event: it waits for the process
// on a goroutine the channel owns, lets the caller collect the process's
// last output (drain), and then reports the exit on the channel's actor,
// once, unless the job was stopped or replaced meanwhile (a stale exit).
// shell, run2 (its steps and its idle shell), interp2 and exec all run
// their processes through it.
//
// # Concurrency
//
// A Supervisor and its Jobs belong to one channel: their methods run on
// the channel's actor, except Terminate, which may wait and so runs where
// the caller can (the drain phase of shutdown).
package jobs
