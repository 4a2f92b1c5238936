//go:build cgo

// The run's root file system, as package nsinit's mounts.go builds it:
// a small tmpfs skeleton, read-only binds of the system's directories, an
// /etc of its own, a fresh /proc, a minimal /dev, and one size-capped
// tmpfs for /work, /tmp and /dev/shm.

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "protocol.h"

#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#define P1_AT_RECURSIVE 0x8000
#define P1_AT_NO_AUTOMOUNT 0x800
#define P1_MOUNT_ATTR_RDONLY 0x1
#define P1_MOUNT_ATTR_NOSUID 0x2

struct p1_mount_attr {
	uint64_t attr_set, attr_clr, propagation, userns_fd;
};

// The error of the step that failed.
static char *errbuf;
static size_t errcap;

static int fail(const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(errbuf, errcap, fmt, ap);
	va_end(ap);
	return -1;
}

// When the helper is real root (it makes the program's user namespace),
// what it creates is given to the run's root, as it would be if the
// helper ran in that user namespace.
static int give;
static uid_t give_uid;
static gid_t give_gid;

static void own(const char *p) {
	if (give)
		(void)lchown(p, give_uid, give_gid);
}

// path joins a and b into a new string.
static char *path(const char *a, const char *b) {
	size_t la = strlen(a), lb = strlen(b);
	char *p = malloc(la + lb + 1);
	if (!p)
		abort();
	memcpy(p, a, la);
	memcpy(p + la, b, lb + 1);
	return p;
}

// mkdir_p makes p and its parents (0755), like os.MkdirAll. It starts at
// p and goes up only as far as a parent is missing: the root's skeleton
// is made under a directory that exists.
static int mkdir_p(const char *p) {
	if (mkdir(p, 0755) == 0) {
		own(p);
		return 0;
	}
	int e = errno;
	struct stat st;
	if (e == EEXIST) {
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
			return 0;
		return fail("mkdir %s: %s", p, errtext(ENOTDIR));
	}
	if (e != ENOENT)
		return fail("mkdir %s: %s", p, errtext(e));
	char *parent = path(p, "");
	char *slash = strrchr(parent, '/');
	while (slash && slash != parent && slash[1] == 0) { // trailing slashes
		*slash = 0;
		slash = strrchr(parent, '/');
	}
	int r = -1;
	if (slash && slash != parent) {
		*slash = 0;
		r = mkdir_p(parent);
	} else
		fail("mkdir %s: %s", p, errtext(e));
	free(parent);
	if (r < 0)
		return -1;
	if (mkdir(p, 0755) == 0)
		own(p);
	else if (errno != EEXIST)
		return fail("mkdir %s: %s", p, errtext(errno));
	if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode))
		return fail("mkdir %s: %s", p, errtext(ENOTDIR));
	return 0;
}

static int mkdir_parent(const char *p) {
	char *d = path(p, "");
	char *slash = strrchr(d, '/');
	int r = 0;
	if (slash && slash != d) {
		*slash = 0;
		r = mkdir_p(d);
	}
	free(d);
	return r;
}

static int do_mount(const char *src, const char *dst, const char *type, unsigned long flags, const char *data) {
	if (mount(src, dst, type, flags, data) != 0)
		return fail("mount %s on %s: %s", type && *type ? type : "", dst, errtext(errno));
	return 0;
}

// tmpfs mounts a tmpfs with opts, owned by the run's root.
static int tmpfs(const char *dst, const char *opts) {
	char o[160];
	if (give)
		snprintf(o, sizeof o, "%s,uid=%u,gid=%u", opts, give_uid, give_gid);
	else
		snprintf(o, sizeof o, "%s", opts);
	return do_mount("tmpfs", dst, "tmpfs", MS_NOSUID | MS_NODEV, o);
}

// read_only makes a mount (with rec, its submounts too) read-only and
// nosuid, keeping its other flags.
static int read_only(const char *p, int rec) {
	struct p1_mount_attr a = {.attr_set = P1_MOUNT_ATTR_RDONLY | P1_MOUNT_ATTR_NOSUID};
	unsigned flags = P1_AT_NO_AUTOMOUNT | (rec ? P1_AT_RECURSIVE : 0);
	if (syscall(SYS_mount_setattr, -1, p, flags, &a, sizeof a) != 0)
		return fail("make %s read-only: %s", p, errtext(errno));
	return 0;
}

// bind_to bind-mounts src on dst, creating dst like src.
static int bind_to(const char *src, const char *dst, int writable) {
	struct stat st;
	if (stat(src, &st) != 0)
		return fail("bind: stat %s: %s", src, errtext(errno));
	if (S_ISDIR(st.st_mode)) {
		if (mkdir_p(dst) < 0)
			return -1;
	} else {
		if (mkdir_parent(dst) < 0)
			return -1;
		int fd = open(dst, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
		if (fd < 0)
			return fail("bind %s: open %s: %s", src, dst, errtext(errno));
		if (give)
			(void)fchown(fd, give_uid, give_gid);
		close(fd);
	}
	if (do_mount(src, dst, "", MS_BIND | MS_REC, NULL) < 0)
		return -1;
	return writable ? 0 : read_only(dst, 1);
}

static int copy_link(const char *src, const char *dst) {
	char t[4096];
	ssize_t n = readlink(src, t, sizeof t - 1);
	if (n < 0)
		return fail("copy symlink %s: %s", src, errtext(errno));
	t[n] = 0;
	if (symlink(t, dst) != 0)
		return fail("copy symlink %s: %s", src, errtext(errno));
	own(dst);
	return 0;
}

// expose_system puts a host directory at the same place, read-only; a
// symlink (/bin -> usr/bin) is copied as is; a missing one is skipped.
static int expose_system(const char *root, const char *p) {
	struct stat st;
	if (lstat(p, &st) != 0)
		return 0;
	char *dst = path(root, p);
	int r = S_ISLNK(st.st_mode) ? copy_link(p, dst) : bind_to(p, dst, 0);
	free(dst);
	return r;
}

// write_file creates a new file (never through a symlink) with its
// directories.
static int write_file(const char *p, const struct file *f) {
	uint32_t mode = f->mode ? f->mode : 0644;
	if (mkdir_parent(p) < 0)
		return -1;
	int fd = open(p, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, mode & 07777);
	if (fd < 0)
		return fail("write file: open %s: %s", p, errtext(errno));
	if (write_full(fd, f->data, f->len) < 0) {
		int e = errno;
		close(fd);
		return fail("write file: write %s: %s", p, errtext(e));
	}
	if (give)
		(void)fchown(fd, give_uid, give_gid);
	// The mode exactly (the umask does not apply; set-id bits do not stay).
	if (fchmod(fd, mode & 0777) != 0) {
		int e = errno;
		close(fd);
		return fail("write file: chmod %s: %s", p, errtext(e));
	}
	close(fd);
	return 0;
}

#define DATA_DIR "/.data"

// setup_data mounts the size-capped tmpfs and binds its work, tmp and shm
// parts; detach_data later takes the tmpfs itself out of the tree.
static int setup_data(const char *root, int64_t size) {
	char *data = path(root, DATA_DIR);
	char opts[64];
	snprintf(opts, sizeof opts, "mode=0755,size=%lld", (long long)size);
	int r = mkdir_p(data) < 0 || tmpfs(data, opts) < 0 ? -1 : 0;
	static const struct {
		const char *name, *at;
		mode_t mode;
	} parts[] = {{"/work", "/work", 0755}, {"/tmp", "/tmp", 01777}, {"/shm", "/dev/shm", 01777}};
	for (size_t i = 0; r == 0 && i < sizeof parts / sizeof parts[0]; i++) {
		char *src = path(data, parts[i].name), *dst = path(root, parts[i].at);
		if (mkdir_p(src) < 0 || mkdir_p(dst) < 0)
			r = -1;
		else if (chmod(src, parts[i].mode) != 0)
			r = fail("chmod %s: %s", src, errtext(errno));
		else
			r = do_mount(src, dst, "", MS_BIND, NULL);
		free(src);
		free(dst);
	}
	free(data);
	return r;
}

static int detach_data(const char *root) {
	char *data = path(root, DATA_DIR);
	int r = 0;
	if (umount2(data, MNT_DETACH) != 0)
		r = fail("detach data tmpfs: %s", errtext(errno));
	else if (rmdir(data) != 0)
		r = fail("remove data mount point: %s", errtext(errno));
	free(data);
	return r;
}

// setup_etc binds the prepared /etc read-only, or builds /etc from the
// allow list and the generated files, on a tmpfs of its own made read-only
// (binds included) in one call.
static int setup_etc(const char *root, const struct request *r) {
	char *etc = path(root, "/etc");
	if (r->etc_dir && *r->etc_dir) {
		int ret = bind_to(r->etc_dir, etc, 0);
		free(etc);
		return ret;
	}
	int ret = mkdir_p(etc) < 0 || tmpfs(etc, "size=1m,mode=0755") < 0 ? -1 : 0;
	for (size_t i = 0; ret == 0 && i < r->etc.n; i++) {
		char *e = path("/", r->etc.v[i]);
		char *src = path("/etc", e), *dst = path(etc, e);
		struct stat st;
		if (lstat(src, &st) == 0) {
			if (mkdir_parent(dst) < 0)
				ret = -1;
			else
				ret = S_ISLNK(st.st_mode) ? copy_link(src, dst) : bind_to(src, dst, 1);
		}
		free(e);
		free(src);
		free(dst);
	}
	for (size_t i = 0; ret == 0 && i < r->n_etc_files; i++) {
		char *e = path("/", r->etc_files[i].path);
		char *dst = path(etc, e);
		ret = write_file(dst, &r->etc_files[i]);
		free(e);
		free(dst);
	}
	if (ret == 0)
		ret = read_only(etc, 1);
	free(etc);
	return ret;
}

// setup_dev builds a minimal /dev: device binds, a private devpts, links.
static int setup_dev(const char *root) {
	static const char *devices[] = {"null", "zero", "full", "random", "urandom", "tty"};
	static const char *links[][2] = {{"ptmx", "pts/ptmx"}, {"fd", "/proc/self/fd"}, {"stdin", "/proc/self/fd/0"},
	                                 {"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"}};
	char *dev = path(root, "/dev");
	int r = mkdir_p(dev);
	for (size_t i = 0; r == 0 && i < sizeof devices / sizeof devices[0]; i++) {
		char *name = path("/", devices[i]);
		char *src = path("/dev", name), *dst = path(dev, name);
		r = bind_to(src, dst, 1);
		free(name);
		free(src);
		free(dst);
	}
	char *pts = path(dev, "/pts");
	if (r == 0 && mkdir_p(pts) == 0)
		r = do_mount("devpts", pts, "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620");
	else
		r = -1;
	free(pts);
	for (size_t i = 0; r == 0 && i < sizeof links / sizeof links[0]; i++) {
		char *name = path("/", links[i][0]);
		char *dst = path(dev, name);
		if (symlink(links[i][1], dst) != 0)
			r = fail("symlink /dev/%s: %s", links[i][0], errtext(errno));
		else
			own(dst);
		free(name);
		free(dst);
	}
	free(dev);
	return r;
}

// bind mounts a caller's host path; an overlay keeps its upper layer on
// the data tmpfs.
static int user_bind(const char *root, const struct bind *b, size_t i) {
	if (b->dst[0] != '/')
		return fail("bind target %s is not absolute", b->dst);
	char *dst = path(root, b->dst);
	if (!b->overlay) {
		int r = bind_to(b->src, dst, b->writable);
		free(dst);
		return r;
	}
	char base[64];
	snprintf(base, sizeof base, DATA_DIR "/overlay-%zu", i);
	char *dbase = path(root, base);
	char *upper = path(dbase, "/upper"), *work = path(dbase, "/work");
	int r = mkdir_p(upper) < 0 || mkdir_p(work) < 0 || mkdir_p(dst) < 0 ? -1 : 0;
	if (r == 0) {
		size_t n = strlen(b->src) + strlen(upper) + strlen(work) + 64;
		char *opts = malloc(n);
		if (!opts)
			abort();
		snprintf(opts, n, "lowerdir=%s,upperdir=%s,workdir=%s,userxattr", b->src, upper, work);
		r = do_mount("overlay", dst, "overlay", MS_NOSUID | MS_NODEV, opts);
		free(opts);
	}
	free(dbase);
	free(upper);
	free(work);
	free(dst);
	return r;
}

// pivot makes root the root, drops the host's tree and makes the
// skeleton read-only.
static int pivot(const char *root) {
	if (chdir(root) != 0)
		return fail("chdir to root: %s", errtext(errno));
	if (syscall(SYS_pivot_root, ".", ".") != 0)
		return fail("pivot_root: %s", errtext(errno));
	if (umount2(".", MNT_DETACH) != 0)
		return fail("detach old root: %s", errtext(errno));
	if (chdir("/") != 0)
		return fail("chdir /: %s", errtext(errno));
	return read_only("/", 0);
}

// loopback_up brings lo up: a new network namespace starts with it down.
static int loopback_up(void) {
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail("socket: %s", errtext(errno));
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, "lo");
	int r = 0;
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0)
		r = fail("get lo flags: %s", errtext(errno));
	else {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) != 0)
			r = fail("bring lo up: %s", errtext(errno));
	}
	close(fd);
	return r;
}

int setup(const struct request *r, char *err, size_t errlen) {
	errbuf = err;
	errcap = errlen;
	give = r->user_ns;
	give_uid = r->ns_uid;
	give_gid = r->ns_gid;
	if (mount("", "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		return fail("make mounts private: %s", errtext(errno));
	const char *root = r->root;
	if (tmpfs(root, "size=4m,mode=0755") < 0)
		return -1;
	for (size_t i = 0; i < r->system.n; i++)
		if (expose_system(root, r->system.v[i]) < 0)
			return -1;
	if (setup_data(root, r->tmpfs) < 0 || setup_etc(root, r) < 0)
		return -1;
	char *proc = path(root, "/proc");
	int ret = mkdir_p(proc) < 0 ? -1 : do_mount("proc", proc, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	free(proc);
	if (ret < 0 || setup_dev(root) < 0)
		return -1;
	for (size_t i = 0; i < r->n_files; i++) {
		char *w = path(root, "/work/");
		char *p = path(w, r->files[i].path);
		ret = write_file(p, &r->files[i]);
		free(w);
		free(p);
		if (ret < 0)
			return -1;
	}
	for (size_t i = 0; i < r->n_binds; i++)
		if (user_bind(root, &r->binds[i], i) < 0)
			return -1;
	if (detach_data(root) < 0 || pivot(root) < 0)
		return -1;
	if (sethostname(r->hostname, strlen(r->hostname)) != 0)
		return fail("sethostname: %s", errtext(errno));
	return r->join_net ? 0 : loopback_up(); // a kept namespace's is up
}
