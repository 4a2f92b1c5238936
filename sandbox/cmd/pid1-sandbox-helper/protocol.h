//go:build cgo

// The C helper's types and functions: the request and report of package
// nsinit's wire protocol, and the steps of a run. See main.go.

#ifndef PID1_SANDBOX_PROTOCOL_H
#define PID1_SANDBOX_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

// The wire protocol version this helper speaks (nsinit.Version).
#define WIRE_VERSION 4

// The helper's fds, as the sandbox sets them up.
#define CTL_FD 3   // the control socket
#define TASKS_FD 4 // a cgroup v1 tasks file, when the request says so
#define EXE_FD 5   // this binary, kept from the program
#define NET_FD 6   // a network namespace to join, when the request says so

struct file {
	char *path;
	uint32_t mode;
	char *data;
	size_t len;
};

struct bind {
	char *src, *dst;
	int writable, overlay;
};

struct rlim {
	int resource;
	uint64_t cur, max;
};

// A list of NUL-terminated strings, itself NULL-terminated.
struct strs {
	char **v;
	size_t n;
};

// request mirrors nsinit.Request field for field.
struct request {
	char *root, *hostname;
	int64_t tmpfs;
	struct strs system, etc;
	struct file *etc_files;
	size_t n_etc_files;
	char *etc_dir;
	struct bind *binds;
	size_t n_binds;
	struct file *files;
	size_t n_files;
	struct strs argv, env;
	char *dir;
	struct rlim *rlimits;
	size_t n_rlimits;
	unsigned char *seccomp;
	size_t seccomp_len;
	struct rlim *child_rlimits;
	size_t n_child_rlimits;
	int tasks_fd;
	struct strs collect;
	int64_t collect_max;
	// user_ns: the helper creates the program's user namespace, mapping
	// root inside to ns_uid/ns_gid outside.
	int user_ns;
	uint32_t ns_uid, ns_gid;
	// join_net: NET_FD is the run's network namespace (loopback up).
	int join_net;
};

// A growing byte buffer (messages out).
struct buf {
	unsigned char *b;
	size_t len, cap;
};

// report mirrors nsinit.Report.
struct report {
	char err[512];
	uint32_t wait_status;
	int64_t real, user_ns, sys_ns, max_rss_kib, min_flt, maj_flt, inblock, oublock, nvcsw, nivcsw;
	struct buf files; // already encoded: count, then each file
	uint64_t n_files;
	int net_untouched; // loopback carried no packet: the namespace may serve again
};

// wire.c
int read_message(int fd, unsigned char **msg, size_t *len);
int write_message(int fd, const unsigned char *msg, size_t len);
int write_full(int fd, const void *p, size_t n); // all of p, or -1 with errno
int parse_request(const unsigned char *b, size_t len, struct request *r, char *err, size_t errlen);
void buf_u64(struct buf *b, uint64_t v);
void buf_bytes(struct buf *b, const void *p, size_t n);
void encode_report(struct buf *out, const struct report *r);

// setup.c: builds the root, pivots into it; 0 or -1 with err set.
int setup(const struct request *r, char *err, size_t errlen);

// start.c: starts the program; its pid, or -1 with err set.
pid_t start_program(const struct request *r, const char *path, char *err, size_t errlen);

// collect.c
void collect(const struct request *r, struct report *rep);

// net.c: joining a kept network namespace; whether the run left its own
// as it was made.
int join_net(char *err, size_t errlen);
int loopback_untouched(void);

// errtext.c: strerror in Go's spelling (lower case first letter).
const char *errtext(int errnum);

#endif
