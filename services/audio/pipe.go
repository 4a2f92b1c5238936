package audio

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"

	"github.com/pid1/pid1/internal/jobs"
)

// makePipe creates the named pipe at path for u (nil: pid1's own user),
// replacing whatever a previous run left there, and opens it. Only u and
// pid1 may use it (mode 0600, owned by u). pid1 opens it for reading and
// writing: holding a write end itself, it never sees end-of-file when a
// writer closes, so one open serves every request.
func makePipe(path string, u *jobs.User) (*os.File, error) {
	if st, err := os.Lstat(path); err == nil {
		if st.IsDir() {
			return nil, fmt.Errorf("%s is a directory", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, err
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		return nil, &os.PathError{Op: "mkfifo", Path: path, Err: err}
	}
	if u != nil {
		if err := os.Lchown(path, int(u.UID), int(u.GID)); err != nil {
			os.Remove(path)
			return nil, err
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR|syscall.O_NOFOLLOW, 0)
	if err != nil {
		os.Remove(path)
		return nil, err
	}
	// Someone may have swapped the path between mkfifo and open.
	if st, err := f.Stat(); err != nil || st.Mode()&fs.ModeNamedPipe == 0 {
		f.Close()
		return nil, fmt.Errorf("%s was replaced by something other than a pipe while pid1 created it", path)
	}
	return f, nil
}
