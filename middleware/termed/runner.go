package termed

import (
	"fmt"

	"github.com/pid1/pid1/internal/fsroot"
	"github.com/pid1/pid1/internal/reaper"
)

// Runner is what a service needs to run programs in the workspace on its
// terminal; run2, interp2 and shellrun are configured with one.
type Runner struct {
	Reaper    *reaper.Reaper // starts and waits for the programs
	Workspace *fsroot.Dir    // their working directory, where .replit is read
	Env       []string       // base environment; nil means pid1's
}

// Check reports a Runner that cannot run anything, naming the service.
func (r Runner) Check(service string) error {
	if r.Reaper == nil || r.Workspace == nil {
		return fmt.Errorf("%s: no reaper or workspace configured", service)
	}
	return nil
}

// Spawn starts argv on t in the workspace, as the function Spawn does;
// path is argv[0] resolved, or "" to have Spawn find it.
func (r Runner) Spawn(t Terminal, path string, argv []string) (*reaper.Process, error) {
	return Spawn(r.Reaper, t, reaper.Spec{Path: path, Args: argv, Env: r.Env, Dir: r.Workspace.Path()})
}
