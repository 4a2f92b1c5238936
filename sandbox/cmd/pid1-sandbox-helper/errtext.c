//go:build cgo

// Error texts as Go spells them, so that the C helper's reports read like
// the Go helper's.

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "protocol.h"

const char *errtext(int errnum) {
	static char b[128];
	snprintf(b, sizeof b, "%s", strerror(errnum));
	b[0] = (char)tolower((unsigned char)b[0]);
	return b;
}
