package server

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"syscall"

	"github.com/pid1/pid1/internal/jobs"
)

// checkReachable reports a workspace that u cannot reach because a
// directory above it is closed to u: every program would otherwise fail
// with a bare "permission denied".
func checkReachable(ws string, u *jobs.User) error {
	for dir := filepath.Dir(ws); ; dir = filepath.Dir(dir) {
		fi, err := os.Stat(dir)
		if err != nil {
			return err
		}
		st := fi.Sys().(*syscall.Stat_t)
		mode := fi.Mode().Perm()
		ok := mode&0o001 != 0 ||
			(st.Uid == u.UID && mode&0o100 != 0) ||
			((st.Gid == u.GID || slices.Contains(u.Groups, st.Gid)) && mode&0o010 != 0)
		if !ok {
			return fmt.Errorf("user %s (uid %d) cannot reach the workspace %s: %s is mode %04o, owned by uid %d gid %d",
				u.Name, u.UID, ws, dir, mode, st.Uid, st.Gid)
		}
		if dir == filepath.Dir(dir) {
			return nil
		}
	}
}
