//go:build cgo

// main for the helper built as a C program of its own (P1_STANDALONE, as
// `make build` and sandbox.HelperBuild do): no Go runtime linked in, so
// the binary is a tenth of the size and a run's helper process faults in
// fewer pages and tears down fewer page tables. Built by `go build` with
// cgo this file is empty, and the Go main says the same.

#ifdef P1_STANDALONE
#include <stdio.h>

int main(void) {
	fputs("pid1-sandbox-helper: only pid1's sandbox starts this program\n", stderr);
	return 2;
}
#endif
