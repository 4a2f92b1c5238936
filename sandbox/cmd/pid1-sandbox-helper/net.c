//go:build cgo

// The run's network namespace when it is a kept one: joining it, and
// telling the sandbox whether the run left it as it was made.

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "protocol.h"

// join_net enters the network namespace at NET_FD (pid1 then made none for
// us) and closes the fd; 0, or -1 with err set.
int join_net(char *err, size_t errlen) {
	int r = setns(NET_FD, CLONE_NEWNET);
	int e = errno;
	close(NET_FD);
	if (r != 0) {
		snprintf(err, errlen, "join the kept network namespace: %s", errtext(e));
		return -1;
	}
	return 0;
}

// loopback_untouched reports whether lo, the namespace's only interface,
// never received or sent a packet (its counters in /proc/net/dev are
// zero): then no connection was made, no socket lingers and nothing of
// the run is left in the namespace. Any doubt (an unreadable file, no lo
// line) says no.
int loopback_untouched(void) {
	int fd = open("/proc/net/dev", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	char b[4096];
	size_t got = 0;
	for (;;) {
		ssize_t n = read(fd, b + got, sizeof b - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
		if (got == sizeof b - 1)
			break;
	}
	close(fd);
	b[got] = 0;
	char *lo = strstr(b, " lo:"); // the lines start with the name, right-aligned
	if (!lo)
		return 0;
	unsigned long long rx_bytes, rx_packets, tx_bytes, tx_packets, skip;
	int n = sscanf(lo + 4, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &rx_bytes, &rx_packets, &skip,
	               &skip, &skip, &skip, &skip, &skip, &tx_bytes, &tx_packets);
	return n == 10 && rx_bytes == 0 && rx_packets == 0 && tx_bytes == 0 && tx_packets == 0;
}
