//go:build cgo

// Reading files back from /work once every process of the run is gone.

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "protocol.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#define P1_RESOLVE_NO_XDEV 0x01
#define P1_RESOLVE_NO_MAGICLINKS 0x02
#define P1_RESOLVE_NO_SYMLINKS 0x04
#define P1_RESOLVE_BENEATH 0x08

struct p1_open_how {
	uint64_t flags, mode, resolve;
};

// collect adds each requested path that is a regular file of at most
// collect_max bytes, reached without a symbolic link and inside /work.
void collect(const struct request *r, struct report *rep) {
	if (r->collect.n == 0)
		return;
	int dir = open("/work", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return;
	size_t max = (size_t)r->collect_max;
	char *data = malloc(max + 1);
	if (!data) {
		close(dir);
		return;
	}
	for (size_t i = 0; i < r->collect.n; i++) {
		struct p1_open_how how = {O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW, 0,
		                          P1_RESOLVE_BENEATH | P1_RESOLVE_NO_SYMLINKS | P1_RESOLVE_NO_MAGICLINKS | P1_RESOLVE_NO_XDEV};
		int fd = (int)syscall(SYS_openat2, dir, r->collect.v[i], &how, sizeof how);
		if (fd < 0)
			continue;
		struct stat st;
		size_t got = 0;
		int ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size <= max;
		while (ok && got <= max) {
			ssize_t n = read(fd, data + got, max + 1 - got);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				ok = 0;
			if (n <= 0)
				break;
			got += (size_t)n;
		}
		close(fd);
		if (!ok || got > max)
			continue;
		const char *p = r->collect.v[i];
		buf_u64(&rep->files, strlen(p));
		buf_bytes(&rep->files, p, strlen(p));
		buf_u64(&rep->files, st.st_mode & 0777);
		buf_u64(&rep->files, got);
		buf_bytes(&rep->files, data, got);
		rep->n_files++;
	}
	free(data);
	close(dir);
}
