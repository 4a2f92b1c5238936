//go:build cgo

// The helper's entry and its life as the pid namespace's init: read the
// request, build the root, start the program, reap every process of the
// run, report.

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "protocol.h"

// The environment variable that makes a binary the helper (nsinit.EnvMarker).
#define ENV_MARKER "_PID1_SANDBOX_HELPER"

// now_ns asks the kernel itself: libc's vDSO path would fault in the vDSO
// pages and their symbol tables first, which costs this short-lived
// process more than the two system calls it makes.
static int64_t now_ns(void) {
	struct timespec t;
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

// look_path resolves a command name in the PATH of env, inside the root.
static char *look_path(const struct request *r, char *err, size_t errlen) {
	const char *name = r->argv.v[0];
	if (name[0] == 0) {
		snprintf(err, errlen, "empty command");
		return NULL;
	}
	if (strchr(name, '/'))
		return strdup(name);
	const char *p = "";
	for (size_t i = 0; i < r->env.n; i++)
		if (strncmp(r->env.v[i], "PATH=", 5) == 0)
			p = r->env.v[i] + 5;
	for (;;) {
		const char *end = strchrnul(p, ':');
		size_t n = (size_t)(end - p);
		char *c = malloc(n + strlen(name) + 3);
		if (!c)
			abort();
		if (n == 0)
			strcpy(c, ".");
		else {
			memcpy(c, p, n);
			c[n] = 0;
		}
		strcat(c, "/");
		strcat(c, name);
		struct stat st;
		if (stat(c, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111))
			return c;
		free(c);
		if (*end == 0)
			break;
		p = end + 1;
	}
	snprintf(err, errlen, "start %s: executable file not found in PATH", name);
	return NULL;
}

// reap_all waits for the program, then kills and reaps every other process
// of the namespace (all become our children: we are its init), and kills
// the run when the sandbox asks (a byte or EOF on the control socket).
static void reap_all(pid_t prog, int sfd, uint32_t *status, int64_t *end) {
	int done = 0, watch = 1;
	for (;;) {
		for (;;) {
			int ws;
			pid_t p = waitpid(-1, &ws, WNOHANG | __WALL);
			if (p < 0 && errno == EINTR)
				continue;
			if (p < 0) // ECHILD: the namespace is empty but for us
				return;
			if (p == 0)
				break;
			if (p == prog) {
				*status = (uint32_t)ws;
				*end = now_ns();
				done = 1;
			}
			if (done) // again after every reap: one may have been forking
				kill(-1, SIGKILL);
		}
		struct pollfd fds[2] = {{sfd, POLLIN, 0}, {watch ? CTL_FD : -1, POLLIN, 0}};
		if (poll(fds, 2, -1) < 0)
			continue;
		if (fds[0].revents) {
			struct signalfd_siginfo si;
			ssize_t n = read(sfd, &si, sizeof si);
			(void)n;
		}
		if (fds[1].revents) {
			char b;
			ssize_t n = read(CTL_FD, &b, 1);
			(void)n;
			watch = 0;
			kill(-1, SIGKILL);
		}
	}
}

// run does one request; the report says how it went.
static void run(struct request *req, struct report *rep) {
	if (req->join_net && join_net(rep->err, sizeof rep->err) < 0)
		return;
	if (setup(req, rep->err, sizeof rep->err) < 0)
		return;
	char *path = look_path(req, rep->err, sizeof rep->err);
	if (!path)
		return;
	// SIGCHLD arrives through a signalfd, with the control socket.
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		snprintf(rep->err, sizeof rep->err, "signalfd: %s", errtext(errno));
		return;
	}
	int64_t start = now_ns();
	pid_t pid = start_program(req, path, rep->err, sizeof rep->err);
	if (pid < 0)
		return;
	// The wall-clock limit counts from here.
	(void)write_message(CTL_FD, NULL, 0);
	int64_t end = now_ns();
	reap_all(pid, sfd, &rep->wait_status, &end);
	rep->real = end - start;
	rep->net_untouched = loopback_untouched();
	struct rusage ru;
	if (getrusage(RUSAGE_CHILDREN, &ru) == 0) {
		rep->user_ns = (int64_t)ru.ru_utime.tv_sec * 1000000000 + ru.ru_utime.tv_usec * 1000;
		rep->sys_ns = (int64_t)ru.ru_stime.tv_sec * 1000000000 + ru.ru_stime.tv_usec * 1000;
		rep->max_rss_kib = ru.ru_maxrss;
		rep->min_flt = ru.ru_minflt;
		rep->maj_flt = ru.ru_majflt;
		rep->inblock = ru.ru_inblock;
		rep->oublock = ru.ru_oublock;
		rep->nvcsw = ru.ru_nvcsw;
		rep->nivcsw = ru.ru_nivcsw;
	}
	collect(req, rep);
}

// helper_main returns the helper's exit code: 0 when a report went out.
static int helper_main(void) {
	fcntl(CTL_FD, F_SETFD, FD_CLOEXEC);
	fcntl(TASKS_FD, F_SETFD, FD_CLOEXEC);
	fcntl(EXE_FD, F_SETFD, FD_CLOEXEC);
	fcntl(NET_FD, F_SETFD, FD_CLOEXEC); // when there is one
	// The program may share our uid: keep it from reading our memory
	// through /proc.
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	unsigned char *msg;
	size_t len;
	if (read_message(CTL_FD, &msg, &len) < 0)
		return 1;
	static struct report rep;
	struct request req;
	if (parse_request(msg, len, &req, rep.err, sizeof rep.err) == 0) {
		// Real root (we make the program's user namespace) has root's
		// supplementary groups: nothing of the run may keep them.
		if (req.user_ns && setgroups(0, NULL) != 0)
			snprintf(rep.err, sizeof rep.err, "setgroups: %s", errtext(errno));
		else
			run(&req, &rep);
	}
	struct buf out = {0};
	encode_report(&out, &rep);
	if (!out.b || write_message(CTL_FD, out.b, out.len) < 0)
		return 1;
	return 0;
}

// Runs before the Go runtime starts: in helper mode it never returns.
__attribute__((constructor)) static void pid1_sandbox_helper(void) {
	if (getenv(ENV_MARKER) == NULL)
		return;
	_exit(helper_main());
}
