//go:build linux

package sandbox

import (
	"context"
	"errors"
)

// Sandbox runs Specs. Create it with New.
type Sandbox struct {
	cfg  Config
	mode string
}

// New checks the configuration, detects the cgroup mode (v2 where the
// unified hierarchy has the controllers, else v1 memory+pids+cpuacct, else
// rlimits only with a warning) and logs which.
func New(cfg Config) (*Sandbox, error) {
	return nil, errors.New("sandbox: not implemented yet")
}

// Mode is "cgroup2", "cgroup1" or "rlimits".
func (s *Sandbox) Mode() string { return s.mode }

// Run runs one Spec and returns how it ended. Cancelling ctx kills the
// whole run (its Result then has Status Killed). The error is non-nil only
// when the run could not start: a bad Spec (ErrBadSpec), ErrQueueFull,
// ErrClosed, ctx ended while queued, or a failure to set the sandbox up.
func (s *Sandbox) Run(ctx context.Context, spec Spec) (Result, error) {
	return Result{}, errors.New("sandbox: not implemented yet")
}

// Close kills every run, waits for them to end, and makes later Runs fail
// with ErrClosed.
func (s *Sandbox) Close() error { return nil }
