package jobs

import (
	"fmt"
	"os"
	"strings"

	"github.com/pid1/pid1/internal/fsroot"
	"github.com/pid1/pid1/internal/reaper"
)

// Deps is what a service that starts processes is built with.
type Deps struct {
	Reaper    *reaper.Reaper // starts every process and owns its status
	Workspace *fsroot.Dir    // the processes' working directory
	// Env is the environment processes start from ("KEY=value"); nil
	// means pid1's own, less what pid1 inherited that is not the user's
	// (see UserEnv).
	Env []string
	// Language is the workspace's language when neither a .replit nor its
	// files say (pid1 -language, conman-repl LANGUAGE=).
	Language string
}

// Check reports Deps that cannot run anything, naming the service.
func (d Deps) Check(service string) error {
	if d.Reaper == nil || d.Workspace == nil {
		return fmt.Errorf("%s: no reaper or workspace configured", service)
	}
	return nil
}

// Dir is the workspace's path, the processes' working directory.
func (d Deps) Dir() string { return d.Workspace.Path() }

// Environ is the environment a process starts with: the base (UserEnv of
// Env) with extra ("KEY=value") laid over it.
func (d Deps) Environ(extra ...string) []string {
	base := UserEnv(d.Env)
	if len(extra) == 0 {
		return base
	}
	over := make(map[string]bool, len(extra))
	for _, kv := range extra {
		k, _, _ := strings.Cut(kv, "=")
		over[k] = true
	}
	out := make([]string, 0, len(base)+len(extra))
	for _, kv := range base {
		if k, _, _ := strings.Cut(kv, "="); !over[k] {
			out = append(out, kv)
		}
	}
	return append(out, extra...)
}

// inherited are variables pid1 may have inherited from whatever started
// it (`make run`, a test under make) that would change how the user's
// programs behave: make prints "Entering directory" and passes flags down
// when it sees them.
var inherited = []string{"MAKELEVEL", "MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES", "GNUMAKEFLAGS"}

// UserEnv is the environment for a user's program: base (pid1's own when
// nil) without the variables pid1 inherited that are not the user's.
func UserEnv(base []string) []string {
	if base == nil {
		base = os.Environ()
	}
	out := make([]string, 0, len(base))
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		drop := false
		for _, x := range inherited {
			if k == x {
				drop = true
				break
			}
		}
		if !drop {
			out = append(out, kv)
		}
	}
	return out
}
