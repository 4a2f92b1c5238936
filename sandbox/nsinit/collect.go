//go:build linux

package nsinit

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// collect reads files back from /work once every process is gone. A path
// that is or passes through a symbolic link, leaves /work, or is not a
// regular file of at most max bytes is skipped.
func collect(paths []string, max int64) []File {
	if len(paths) == 0 {
		return nil
	}
	dir, err := unix.Open("/work", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil
	}
	defer unix.Close(dir)
	var out []File
	for _, p := range paths {
		fd, err := unix.Openat2(dir, p, &unix.OpenHow{
			Flags:   unix.O_RDONLY | unix.O_NONBLOCK | unix.O_CLOEXEC | unix.O_NOFOLLOW,
			Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS | unix.RESOLVE_NO_XDEV,
		})
		if err != nil {
			continue
		}
		f := os.NewFile(uintptr(fd), p)
		st, err := f.Stat()
		if err != nil || !st.Mode().IsRegular() || st.Size() > max {
			f.Close()
			continue
		}
		data, err := io.ReadAll(io.LimitReader(f, max+1))
		f.Close()
		if err != nil || int64(len(data)) > max {
			continue
		}
		out = append(out, File{Path: p, Mode: uint32(st.Mode().Perm()), Data: data})
	}
	return out
}
