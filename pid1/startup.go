package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"

	"github.com/pid1/pid1/internal/jobs"
)

// startCommand runs the container's startup command (`pid1 -- CMD ARGS`)
// as a child in its own process group, in the workspace, as the
// workspace's programs run (user, environment), through the reaper. Its
// exit is logged with its status and does not stop pid1: the container
// lives as long as its clients need it.
func startCommand(ctx context.Context, deps jobs.Deps, argv []string, log *slog.Logger) error {
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return fmt.Errorf("startup command: %w", err)
	}
	spec := deps.Spec(path, argv)
	spec.Stdout, spec.Stderr = os.Stdout, os.Stderr
	p, err := deps.Reaper.Spawn(spec)
	if err != nil {
		return fmt.Errorf("startup command: %w", err)
	}
	log.Info("startup command started", "pid", p.Pid, "argv", argv)
	go func() {
		st, err := p.Wait(ctx)
		if err != nil {
			return
		}
		log.Info("startup command exited", "pid", p.Pid, "status", st.String())
	}()
	return nil
}
