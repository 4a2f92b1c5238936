//go:build cgo

// Starting the program: a child that, between fork and exec, enters the
// program's cgroup, becomes root of its own user namespace (when the
// helper made one), takes its rlimits and gives up every privilege.

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "protocol.h"

// What failed in the child, sent up the error pipe.
enum stage { ST_SYNC = 1, ST_CGROUP, ST_IDS, ST_RLIMIT, ST_SECUREBITS, ST_BSET, ST_AMBIENT, ST_NNP, ST_SECCOMP, ST_CAPS, ST_EXEC };

struct child_err {
	int stage, err, arg;
};

// In the child only: report and die.
static void die(int fd, int stage, int arg) {
	struct child_err e = {stage, errno, arg};
	ssize_t n = write(fd, &e, sizeof e);
	(void)n;
	_exit(127);
}

// The kernel's classic BPF program, as seccomp(2) takes it (linux/filter.h;
// spelled out so that the helper builds against any C library's headers).
struct p1_sock_filter {
	uint16_t code;
	uint8_t jt, jf;
	uint32_t k;
};
struct p1_sock_fprog {
	unsigned short len;
	struct p1_sock_filter *filter;
};
#define P1_SECCOMP_SET_MODE_FILTER 1

struct cap_header {
	uint32_t version;
	int pid;
};
struct cap_data {
	uint32_t effective, permitted, inheritable;
};

// drop gives the calling process up: no capabilities and no way back to
// them, no_new_privs, and the seccomp filter. Its order is nsinit's.
static void drop(const struct request *r, int errfd) {
	// NOROOT, NO_SETUID_FIXUP and their locks; lock KEEP_CAPS off.
	if (prctl(PR_SET_SECUREBITS, 1 << 0 | 1 << 1 | 1 << 2 | 1 << 3 | 1 << 5, 0, 0, 0) != 0)
		die(errfd, ST_SECUREBITS, 0);
	for (int c = 0;; c++) {
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) == 0)
			continue;
		if (errno == EINVAL)
			break; // past the last capability
		die(errfd, ST_BSET, c);
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0)
		die(errfd, ST_AMBIENT, 0);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		die(errfd, ST_NNP, 0);
	if (r->seccomp_len > 0) {
		struct p1_sock_fprog prog = {(unsigned short)(r->seccomp_len / sizeof(struct p1_sock_filter)),
		                             (struct p1_sock_filter *)r->seccomp};
		if (syscall(SYS_seccomp, P1_SECCOMP_SET_MODE_FILTER, 0, &prog) != 0)
			die(errfd, ST_SECCOMP, 0);
	}
	struct cap_header h = {0x20080522, 0}; // _LINUX_CAPABILITY_VERSION_3
	struct cap_data d[2];
	memset(d, 0, sizeof d);
	if (syscall(SYS_capset, &h, d) != 0)
		die(errfd, ST_CAPS, 0);
}

static void set_rlimits(const struct rlim *l, size_t n, int errfd) {
	for (size_t i = 0; i < n; i++) {
		struct rlimit rl = {l[i].cur, l[i].max};
		if (syscall(SYS_prlimit64, 0, l[i].resource, &rl, NULL) != 0)
			die(errfd, ST_RLIMIT, l[i].resource);
	}
}

// child runs in the new process, in the helper's memory (see
// start_program), and never returns. It calls the kernel directly where
// libc would take process-wide locks (ids, limits).
static void child(const struct request *r, const char *path, int syncfd, int errfd) {
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (r->user_ns) {
		// Wait until the helper has written our id maps.
		char c;
		if (read(syncfd, &c, 1) != 1)
			die(errfd, ST_SYNC, 0);
	}
	if (r->tasks_fd && write(TASKS_FD, "0", 1) != 1)
		die(errfd, ST_CGROUP, 0);
	if (r->user_ns && (syscall(SYS_setresgid, 0, 0, 0) != 0 || syscall(SYS_setresuid, 0, 0, 0) != 0))
		die(errfd, ST_IDS, 0);
	set_rlimits(r->rlimits, r->n_rlimits, errfd);
	set_rlimits(r->child_rlimits, r->n_child_rlimits, errfd);
	if (r->dir[0] && chdir(r->dir) != 0)
		die(errfd, ST_EXEC, 0);
	drop(r, errfd);
	execve(path, r->argv.v, r->env.v);
	die(errfd, ST_EXEC, 0);
}

// The child's stack, in the helper's memory it shares.
static char child_stack[64 * 1024] __attribute__((aligned(16)));

struct child_args {
	const struct request *r;
	const char *path;
	int syncfd, errfd;    // the child's ends
	int parent1, parent2; // the helper's ends, closed in the child
};

static int child_main(void *p) {
	const struct child_args *a = p;
	close(a->parent1);
	close(a->parent2);
	child(a->r, a->path, a->syncfd, a->errfd);
	return 127;
}

static int write_file(pid_t pid, const char *name, const char *data) {
	char p[64];
	snprintf(p, sizeof p, "/proc/%d/%s", (int)pid, name);
	int fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, data, strlen(data));
	int e = errno;
	close(fd);
	errno = e;
	return n == (ssize_t)strlen(data) ? 0 : -1;
}

// map_ids writes the child's uid and gid maps: root inside is the run's
// uid outside.
static int map_ids(pid_t pid, const struct request *r) {
	char m[64];
	snprintf(m, sizeof m, "0 %u 1\n", r->ns_uid);
	if (write_file(pid, "uid_map", m) != 0)
		return -1;
	if (write_file(pid, "setgroups", "deny") != 0)
		return -1;
	snprintf(m, sizeof m, "0 %u 1\n", r->ns_gid);
	return write_file(pid, "gid_map", m);
}

static const char *stage_text(int stage) {
	switch (stage) {
	case ST_SYNC:
		return "wait for the id maps";
	case ST_CGROUP:
		return "enter the program's cgroup";
	case ST_IDS:
		return "become root of the user namespace";
	case ST_SECUREBITS:
		return "set securebits";
	case ST_BSET:
		return "drop a capability from the bounding set";
	case ST_AMBIENT:
		return "clear ambient capabilities";
	case ST_NNP:
		return "set no_new_privs";
	case ST_SECCOMP:
		return "load seccomp filter";
	case ST_CAPS:
		return "drop capabilities";
	}
	return "start";
}

pid_t start_program(const struct request *r, const char *path, char *err, size_t errlen) {
	int syncp[2], errp[2];
	if (pipe2(syncp, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "pipe: %s", errtext(errno));
		return -1;
	}
	// A new process, in a user namespace of its own when asked, that
	// shares our memory until its exec, as vfork's does: the kernel copies
	// none of it, and the exec has no copy to tear down (with fork the two
	// cost a run about 2 ms of CPU on the machines we measure on). Unlike
	// vfork we go on, to write its id maps while it waits for them. It
	// touches nothing of ours but its stack and, when a call fails, errno
	// (the thread's, shared): once it has the sync byte we only wait for
	// the error pipe, with SIGCHLD blocked, and read errno nowhere else.
	// Its file table is its own (no CLONE_FILES).
	int flags = SIGCHLD | CLONE_VM | (r->user_ns ? CLONE_NEWUSER : 0);
	struct child_args a = {r, path, syncp[0], errp[1], syncp[1], errp[0]};
	pid_t pid = clone(child_main, child_stack + sizeof child_stack, flags, &a);
	close(syncp[0]);
	close(errp[1]);
	if (pid < 0) {
		snprintf(err, errlen, "start %s: %s", r->argv.v[0], errtext(errno));
		close(syncp[1]);
		close(errp[0]);
		return -1;
	}
	int mapped = 1;
	if (r->user_ns && map_ids(pid, r) != 0) {
		mapped = 0;
		snprintf(err, errlen, "write the program's id maps: %s", errtext(errno));
	} else if (r->user_ns) {
		// Only then does the child read it: otherwise it may have
		// exec'd already, and a write would raise SIGPIPE.
		ssize_t n = write(syncp[1], "m", 1);
		(void)n;
	}
	close(syncp[1]);
	struct child_err ce;
	ssize_t n;
	do
		n = read(errp[0], &ce, sizeof ce);
	while (n < 0 && errno == EINTR);
	close(errp[0]);
	if (mapped && n == 0)
		return pid; // exec succeeded: the pipe closed on exec
	if (mapped && n == sizeof ce) {
		if (ce.stage == ST_EXEC)
			snprintf(err, errlen, "start %s: %s", r->argv.v[0], errtext(ce.err));
		else if (ce.stage == ST_RLIMIT)
			snprintf(err, errlen, "setrlimit %d: %s", ce.arg, errtext(ce.err));
		else if (ce.stage == ST_BSET)
			snprintf(err, errlen, "%s %d: %s", stage_text(ce.stage), ce.arg, errtext(ce.err));
		else
			snprintf(err, errlen, "%s: %s", stage_text(ce.stage), errtext(ce.err));
	} else if (mapped)
		snprintf(err, errlen, "start %s: the child died before exec", r->argv.v[0]);
	kill(pid, SIGKILL);
	return -1;
}
