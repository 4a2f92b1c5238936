// Package shellrun is the shellrun service: a shell and the run2 program
// on one terminal. While nothing runs, bash does (state Stopped) and input
// goes to it; runMain closes the shell and runs the program as run2 does
// (execInfo, output, error on failure, state Stopped), and when the
// program ends a fresh shell comes back.
package shellrun

import (
	"os"

	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/internal/jobs"
	"github.com/pid1/pid1/services/run2"
)

// Descriptor registers the service. Shell is the program to run between
// runs; "" means $SHELL, then bash.
func Descriptor(deps jobs.Deps, shell string, args ...string) services.Descriptor {
	if shell == "" {
		shell = os.Getenv("SHELL")
	}
	if shell == "" {
		shell = "bash"
	}
	return run2.NewDescriptor("shellrun", deps, append([]string{shell}, args...))
}
