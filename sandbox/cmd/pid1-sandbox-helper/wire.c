//go:build cgo

// The helper's half of the wire format of package nsinit: messages are a
// little-endian u64 length and that many bytes; fields are u64s and
// length-prefixed byte strings.

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "protocol.h"

// The largest message either side accepts (nsinit.maxMessage).
#define MAX_MESSAGE (1ull << 30)

// full moves exactly n bytes, writing them when out is set, else reading
// them, again after EINTR; -1 (errno set) on an error or an early end.
static int full(int fd, void *p, size_t n, int out) {
	unsigned char *c = p;
	while (n > 0) {
		ssize_t r = out ? write(fd, c, n) : read(fd, c, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			errno = EIO;
		if (r <= 0)
			return -1;
		c += r;
		n -= (size_t)r;
	}
	return 0;
}

static int read_full(int fd, void *p, size_t n) { return full(fd, p, n, 0); }

int write_full(int fd, const void *p, size_t n) { return full(fd, (void *)p, n, 1); }

int read_message(int fd, unsigned char **msg, size_t *len) {
	uint64_t n;
	if (read_full(fd, &n, 8) < 0 || n > MAX_MESSAGE)
		return -1;
	*msg = malloc(n ? n : 1);
	if (!*msg || read_full(fd, *msg, n) < 0)
		return -1;
	*len = n;
	return 0;
}

int write_message(int fd, const unsigned char *msg, size_t len) {
	struct buf b = {0};
	buf_u64(&b, len);
	buf_bytes(&b, msg, len);
	int r = b.b ? write_full(fd, b.b, b.len) : -1;
	free(b.b);
	return r;
}

// dec reads fields; the first error sticks.
struct dec {
	const unsigned char *b;
	size_t len;
	const char *err;
};

static uint64_t u64(struct dec *d) {
	uint64_t v = 0;
	if (d->err)
		return 0;
	if (d->len < 8) {
		d->err = "nsinit: message truncated";
		return 0;
	}
	memcpy(&v, d->b, 8);
	d->b += 8;
	d->len -= 8;
	return v;
}

static int boolean(struct dec *d) {
	uint64_t v = u64(d);
	if (v > 1 && !d->err)
		d->err = "nsinit: bad boolean";
	return v == 1;
}

// count reads a length followed by at least n*min bytes.
static size_t count(struct dec *d, uint64_t min) {
	uint64_t n = u64(d);
	if (!d->err && (n > d->len || (min > 0 && n * min > d->len)))
		d->err = "nsinit: message truncated";
	return d->err ? 0 : (size_t)n;
}

// bytes returns a NUL-terminated copy (byte strings may hold NULs; len
// says how long).
static char *bytes(struct dec *d, size_t *len) {
	size_t n = count(d, 1);
	char *p = malloc(n + 1);
	if (!p) {
		d->err = "nsinit: out of memory";
		return NULL;
	}
	if (d->err) {
		p[0] = 0;
		return p;
	}
	memcpy(p, d->b, n);
	p[n] = 0;
	d->b += n;
	d->len -= n;
	if (len)
		*len = n;
	return p;
}

static char *str(struct dec *d) { return bytes(d, NULL); }

// array reads a count of entries each at least min bytes long and
// allocates that many (plus one, zeroed) of size bytes; NULL after an
// error, with *n zero.
static void *array(struct dec *d, uint64_t min, size_t size, size_t *n) {
	*n = count(d, min);
	void *a = calloc(*n + 1, size);
	if (!a) {
		d->err = "nsinit: out of memory";
		*n = 0;
	}
	return a;
}

static struct strs strs(struct dec *d) {
	struct strs s = {0};
	s.v = array(d, 8, sizeof(char *), &s.n);
	for (size_t i = 0; i < s.n; i++)
		s.v[i] = str(d);
	return s;
}

static struct file *files(struct dec *d, size_t *n) {
	struct file *f = array(d, 24, sizeof *f, n);
	for (size_t i = 0; i < *n; i++) {
		f[i].path = str(d);
		uint64_t m = u64(d);
		if (m > 0xffffffffu && !d->err)
			d->err = "nsinit: value out of range";
		f[i].mode = (uint32_t)m;
		f[i].data = bytes(d, &f[i].len);
	}
	return f;
}

static struct rlim *rlimits(struct dec *d, size_t *n) {
	struct rlim *l = array(d, 24, sizeof *l, n);
	for (size_t i = 0; i < *n; i++) {
		l[i].resource = (int)u64(d);
		l[i].cur = u64(d);
		l[i].max = u64(d);
	}
	return l;
}

int parse_request(const unsigned char *b, size_t len, struct request *r, char *err, size_t errlen) {
	struct dec d = {b, len, NULL};
	uint64_t v = u64(&d);
	if (!d.err && v != WIRE_VERSION) {
		snprintf(err, errlen, "nsinit: request of protocol version %llu; this helper speaks %d (helper and pid1 from different builds?)",
		         (unsigned long long)v, WIRE_VERSION);
		return -1;
	}
	memset(r, 0, sizeof *r);
	r->root = str(&d);
	r->hostname = str(&d);
	r->tmpfs = (int64_t)u64(&d);
	r->system = strs(&d);
	r->etc = strs(&d);
	r->etc_files = files(&d, &r->n_etc_files);
	r->etc_dir = str(&d);
	r->binds = array(&d, 32, sizeof *r->binds, &r->n_binds);
	for (size_t i = 0; i < r->n_binds; i++) {
		r->binds[i].src = str(&d);
		r->binds[i].dst = str(&d);
		r->binds[i].writable = boolean(&d);
		r->binds[i].overlay = boolean(&d);
	}
	r->files = files(&d, &r->n_files);
	r->argv = strs(&d);
	r->env = strs(&d);
	r->dir = str(&d);
	r->rlimits = rlimits(&d, &r->n_rlimits);
	r->seccomp = (unsigned char *)bytes(&d, &r->seccomp_len);
	r->child_rlimits = rlimits(&d, &r->n_child_rlimits);
	r->tasks_fd = boolean(&d);
	r->collect = strs(&d);
	r->collect_max = (int64_t)u64(&d);
	r->user_ns = boolean(&d);
	uint64_t uid = u64(&d), gid = u64(&d);
	if (!d.err && (uid > 0xffffffffu || gid > 0xffffffffu))
		d.err = "nsinit: value out of range";
	r->ns_uid = (uint32_t)uid;
	r->ns_gid = (uint32_t)gid;
	r->join_net = boolean(&d);
	if (!d.err && d.len != 0)
		d.err = "nsinit: trailing bytes in message";
	if (!d.err && r->argv.n == 0)
		d.err = "empty command";
	if (d.err) {
		snprintf(err, errlen, "%s", d.err);
		return -1;
	}
	return 0;
}

void buf_bytes(struct buf *b, const void *p, size_t n) {
	if (b->len + n > b->cap) {
		size_t c = b->cap ? b->cap : 256;
		while (c < b->len + n)
			c *= 2;
		unsigned char *nb = realloc(b->b, c);
		if (!nb) {
			free(b->b);
			b->b = NULL;
			b->len = b->cap = 0;
			return;
		}
		b->b = nb;
		b->cap = c;
	}
	if (n)
		memcpy(b->b + b->len, p, n);
	b->len += n;
}

void buf_u64(struct buf *b, uint64_t v) { buf_bytes(b, &v, 8); }

static void buf_str(struct buf *b, const char *s, size_t n) {
	buf_u64(b, n);
	buf_bytes(b, s, n);
}

void encode_report(struct buf *out, const struct report *r) {
	buf_str(out, r->err, strlen(r->err));
	buf_u64(out, r->wait_status);
	const int64_t v[] = {r->real, r->user_ns, r->sys_ns, r->max_rss_kib, r->min_flt,
	                     r->maj_flt, r->inblock, r->oublock, r->nvcsw, r->nivcsw};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		buf_u64(out, (uint64_t)v[i]);
	buf_u64(out, r->n_files);
	buf_bytes(out, r->files.b, r->files.len);
	buf_u64(out, 1); // Native: this helper can make the program's user namespace
	buf_u64(out, r->net_untouched ? 1 : 0);
}
