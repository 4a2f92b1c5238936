package audio

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"syscall"

	"github.com/pid1/pid1/internal/jobs"
)

// checkReadable reports whether u may read the file at path (absolute),
// as the kernel would decide for a process of u's: every directory on the
// way searchable, the file readable. pid1 opens the files as root, so
// without this a request could make it play what its user may not read.
// A nil u is pid1's own user, who may read what pid1 can open.
func checkReadable(path string, u *jobs.User) error {
	if u == nil || u.UID == 0 {
		return nil
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return err
	}
	for dir := filepath.Dir(real); ; dir = filepath.Dir(dir) {
		if err := allowed(dir, u, 1); err != nil {
			return err
		}
		if dir == "/" {
			break
		}
	}
	return allowed(real, u, 4)
}

// allowed checks one permission bit (4 read, 1 search) of path for u.
func allowed(path string, u *jobs.User, bit uint32) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Errorf("%s: no owner information", path)
	}
	mode := uint32(st.Mode().Perm())
	var granted bool
	switch {
	case sys.Uid == u.UID:
		granted = mode>>6&bit != 0
	case sys.Gid == u.GID || slices.Contains(u.Groups, sys.Gid):
		granted = mode>>3&bit != 0
	default:
		granted = mode&bit != 0
	}
	if !granted {
		return &os.PathError{Op: "open", Path: path, Err: syscall.EACCES}
	}
	return nil
}
