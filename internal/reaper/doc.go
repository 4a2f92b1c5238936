// Package reaper is the one owner of wait statuses in pid1.
//
// # Why one owner
//
// A Linux process learns how a child ended exactly once: the first wait4 (or
// waitid) that collects the zombie gets the status and every later caller
// gets ECHILD. An init process must collect orphans, and the obvious way to
// do that, wait4(-1) in a loop, also collects the children that os/exec is
// about to wait for. exec.Cmd.Wait then fails with "no child processes" and
// the exit code is gone. This is the bug behind many Go reapers
// (ramr/go-reaper#2, u-root/u-root#749, gomods/athens#2049). Serialising the
// two with a lock only moves the race into every caller.
//
// So pid1 has a single owner. Every process that pid1 or one of its services
// starts goes through [Reaper.Spawn], and its status arrives through
// [Process.Wait] or [Process.Done]. Nothing in pid1 calls exec.Cmd.Wait,
// exec.Cmd.Run, os.Process.Wait or any library that does (creack/pty.Start
// does): use Spawn with Setsid and Setctty for a terminal.
//
// # Two modes
//
// With Options.ReapAll (pid1 is PID 1, or has called [SetSubreaper]) the loop
// calls wait4(-1) and collects every child, including orphans that the
// kernel reparented to us. A status whose pid was not spawned here is counted
// by [Reaper.Orphans] and dropped. In this mode os/exec must not be used
// anywhere in the process. As PID 1, [Reaper.Terminate] stops the whole
// namespace (kill(-1)), orphans included, not only the spawned groups.
//
// Without ReapAll the loop calls wait4(pid) for the pids it spawned and
// nothing else, so a test binary or a library may keep using os/exec next to
// a Reaper. Orphans are left to whoever is the real init.
//
// # The lock contract
//
// A child can exit before fork returns its pid to the parent. If the loop
// reaped it in that window it would look like an orphan and the status would
// be lost. To rule this out the Reaper has one wait lock (a RWMutex):
//
//   - the loop holds it exclusively for as long as it calls wait4;
//   - Spawn holds it shared from before the fork until the new pid is
//     registered in the process table.
//
// So every wait4 happens either before the fork or after registration, and
// a status is always matched with its Process. Spawns do not exclude each
// other (only the kernel's fork and Go's syscall.ForkLock serialise them).
// [Process.Signal] also holds the lock shared, so it never signals a pid that
// has been reaped and possibly reused.
//
// The loop runs in [Reaper.Run]: it wakes on SIGCHLD and, because signals of
// the same kind coalesce and a wake-up may be missed, also once a second as
// tini does; each time it collects until wait4 reports nothing more.
//
// # Concurrency
//
// All methods of Reaper and Process are safe for concurrent use. Run must be
// running for statuses to arrive; [Reaper.Terminate] also collects by itself,
// so it works during shutdown after Run has stopped.
//
// The package is Linux only.
package reaper
