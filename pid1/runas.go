package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/user"

	"github.com/pid1/pid1/internal/jobs"
)

// defaultRunAs is the user the workspace's programs run as when pid1 is
// root and -run-as is not given, if the system has it (the container
// image creates it).
const defaultRunAs = "runner"

// runAs resolves -run-as: who the workspace's programs run as. Nil means
// pid1's own user, which pid1 says loudly, with what that gives away.
func runAs(flag string, log *slog.Logger) (*jobs.User, error) {
	root := os.Geteuid() == 0
	switch {
	case flag == "self":
		return nil, warnSameUser(log, "-run-as self")
	case flag != "" && !root:
		return nil, fmt.Errorf("-run-as %s: running programs as another user needs pid1 to be root (it is uid %d)", flag, os.Geteuid())
	case flag != "":
		return jobs.LookupUser(flag)
	case !root:
		return nil, warnSameUser(log, "pid1 is not root")
	}
	u, err := jobs.LookupUser(defaultRunAs)
	var unknown user.UnknownUserError
	if errors.As(err, &unknown) {
		return nil, warnSameUser(log, "there is no user "+defaultRunAs+" and -run-as is not given")
	}
	return u, err
}

// warnSameUser says which protections pid1 cannot give when its users'
// programs run as pid1's own user.
func warnSameUser(log *slog.Logger, why string) error {
	log.Warn("the workspace's programs run as pid1's own user ("+why+"): they can read pid1's state directory (its token signing key), "+
		"its environment and memory, and signal it. Run pid1 as root with -run-as USER to keep them apart.",
		"uid", os.Geteuid())
	return nil
}
