// Command pid1-sandbox-helper is the sandbox's helper alone, for
// Config.HelperPath (pid1 uses it when it sits beside pid1's binary; see
// sandbox.DefaultHelperPath). Run by hand it only says what it is.
//
// The helper is C (helper.c and its neighbours). pid1's build compiles
// those files alone into a static program (sandbox.HelperBuild, make build:
// cc -static -DP1_STANDALONE *.c, whose main is standalone.c's). Built
// here with cgo (the default where a C compiler is installed), the same C
// runs from a constructor before the Go runtime starts and never returns,
// so a run pays for no runtime start-up, only for a bigger binary. As
// real root the C helper makes the program's user namespace itself, which
// spares pid1 a full fork of its own memory for each run. It speaks
// package nsinit's wire protocol and builds the same root. Built without
// cgo, the binary is package nsinit's Go helper.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "pid1-sandbox-helper: only pid1's sandbox starts this program")
	os.Exit(2)
}
