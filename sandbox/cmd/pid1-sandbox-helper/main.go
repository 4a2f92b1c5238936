// Command pid1-sandbox-helper is the sandbox's helper alone: a small
// binary that starts in a fraction of the time pid1's own takes, for
// Config.HelperPath (pid1 uses it when it sits beside pid1's binary; see
// sandbox.DefaultHelperPath). Run by hand it only says what it is.
package main

import (
	"fmt"
	"os"

	// Does the work, from its init, when the sandbox starts this binary.
	_ "github.com/pid1/pid1/sandbox/nsinit"
)

func main() {
	fmt.Fprintln(os.Stderr, "pid1-sandbox-helper: only pid1's sandbox starts this program")
	os.Exit(2)
}
