package jobs

import (
	"fmt"
	"os/user"
	"strconv"
	"strings"
)

// User is who the workspace's programs run as, when pid1 runs them as a
// user other than its own (pid1 as root, its users' code unprivileged).
type User struct {
	UID, GID uint32
	Groups   []uint32 // supplementary groups
	Name     string
	Home     string
	Shell    string
}

// LookupUser resolves a user: a name from the system's user database, or
// "UID" or "UID:GID" (which need not be in it: a container's user may
// exist only as numbers).
func LookupUser(spec string) (*User, error) {
	if spec == "" {
		return nil, fmt.Errorf("no user given")
	}
	ids := strings.SplitN(spec, ":", 2)
	if uid, err := strconv.ParseUint(ids[0], 10, 32); err == nil {
		u := &User{UID: uint32(uid), GID: uint32(uid), Name: ids[0], Home: "/", Shell: "/bin/sh"}
		if len(ids) == 2 {
			gid, err := strconv.ParseUint(ids[1], 10, 32)
			if err != nil {
				return nil, fmt.Errorf("user %q: the group must be a number", spec)
			}
			u.GID = uint32(gid)
		}
		if pw, err := user.LookupId(ids[0]); err == nil {
			u.Name, u.Home = pw.Username, pw.HomeDir
		}
		return u, nil
	}
	if len(ids) == 2 {
		return nil, fmt.Errorf("user %q: NAME takes no :GID (its group comes from the user database)", spec)
	}
	pw, err := user.Lookup(spec)
	if err != nil {
		return nil, fmt.Errorf("user %q: %w", spec, err)
	}
	uid, _ := strconv.ParseUint(pw.Uid, 10, 32)
	gid, _ := strconv.ParseUint(pw.Gid, 10, 32)
	u := &User{UID: uint32(uid), GID: uint32(gid), Name: pw.Username, Home: pw.HomeDir, Shell: "/bin/bash"}
	if gs, err := pw.GroupIds(); err == nil {
		for _, g := range gs {
			if n, err := strconv.ParseUint(g, 10, 32); err == nil && uint32(n) != u.GID {
				u.Groups = append(u.Groups, uint32(n))
			}
		}
	}
	return u, nil
}
