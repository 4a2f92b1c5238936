// Package sandbox runs one untrusted program contained, limited and
// measured: the base of pid1's code-execution engines.
//
// # What a run sees
//
// Each run gets new user, pid, mount, network, ipc and uts namespaces. Root
// inside is an unprivileged uid outside (one per concurrent run slot). The
// file system is built from nothing: read-only binds of the system's
// toolchains (/usr, /bin, /sbin, /lib*), an /etc reduced to an allow list
// (no shadow, no ssh keys; a copy prepared on the host and bound in one
// mount, see etcTree), a fresh /proc, a minimal /dev (null, zero,
// full, random, urandom, tty, pts, shm), and a writable WorkDir and /tmp
// that share one size-capped tmpfs. pid1's state directory, the workspace,
// /root and the other runs are simply not there. The network namespace has
// only loopback, up. The program runs with no capabilities, no_new_privs,
// a seccomp filter that refuses what it has no business doing (mount,
// ptrace, bpf, keyctl, perf_event_open, kexec, reboot, module loading,
// new namespaces, ...), and rlimits.
//
// # How
//
// Go runs no code between fork and exec, so the set-up happens in a
// helper (Config.HelperPath). Two speak the same protocol (package
// nsinit's wire format) and build the same root:
//
//   - cmd/pid1-sandbox-helper, which pid1 ships beside its binary: C,
//     built as a static program of its own (HelperBuild, make build), or
//     by go build with cgo, where it runs from a constructor before the Go
//     runtime starts. Its reports say it
//     is native; from then on, when pid1 is root, the sandbox starts it
//     without a user namespace (so Go forks it with vfork, not by copying
//     pid1's page tables) as real root in the other new namespaces, and
//     the helper makes the program's user namespace itself, mapping root
//     inside to the run's uid, between its clone and the program's exec
//     (the program's process shares the helper's memory until then). It
//     is linked against musl where musl-gcc is installed: glibc's static
//     start-up costs every run more.
//   - the running binary re-executed (default when the small one is not
//     there), which package nsinit catches in an init function before
//     the rest of the program initialises; it runs in a user namespace
//     the sandbox makes, and starts the program from a thread that has
//     dropped every privilege.
//
// Either builds the root, pivots into it, brings lo up, starts the
// program with no capabilities, no_new_privs and the seccomp filter, and
// stays as the pid namespace's init: it reaps everything, kills whatever is left when the
// program exits, and reports the program's status and the resource usage
// of exactly this run. Killing the helper (timeout, context, Close) kills
// the namespace, so no process of a run outlives it.
//
// Limits come from cgroups where they can: v2 (memory.max, pids.max,
// memory.peak, cgroup.kill) when the unified hierarchy offers the
// controllers, else v1 memory + pids + cpuacct, else rlimits only, which
// New logs as a warning. Mode says which.
//
// A run slot keeps what a run left as it found it for the slot's next
// run: the network namespace when its loopback carried no packet (with
// the C helper as real root), and in v1 the cgroups when they are empty
// with under 1 MiB charged (counters reset, the peak counted above the
// run's start).
//
// # Concurrency
//
// A Sandbox is safe for concurrent use. At most Config.MaxRuns runs execute
// at once; up to Config.MaxQueue more wait in FIFO order, and Run fails
// with ErrQueueFull beyond that. Each run has its own helper, namespaces,
// cgroup and uid at any one time. Run blocks until the run has ended and every one of its
// processes is gone; cancelling its context kills the run. Close kills all
// runs and makes later calls fail with ErrClosed.
package sandbox
