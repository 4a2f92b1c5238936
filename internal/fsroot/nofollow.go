package fsroot

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// ErrNotRegular is the error of an open that expected a regular file and
// found something else.
var ErrNotRegular = errors.New("not a regular file")

// openat2 is used when the kernel has it (Linux 5.6 and later, and not
// refused by a seccomp filter); otherwise paths are opened one component
// at a time.
var (
	openat2Once sync.Once
	haveOpenat2 bool
)

// openNoFollow opens the clean path p ("" is dirfd itself) beneath the
// directory dirfd without following a symbolic link in any component and
// without leaving the directory: a link anywhere on the way gives ELOOP
// (or ENOTDIR), whatever it points to. flags are open(2) flags;
// O_CLOEXEC and O_NOFOLLOW are added.
func openNoFollow(dirfd int, p string, flags int) (int, error) {
	if p == "" {
		p = "."
	}
	flags |= unix.O_CLOEXEC | unix.O_NOFOLLOW
	openat2Once.Do(func() {
		fd, err := unix.Openat2(dirfd, ".", &unix.OpenHow{Flags: unix.O_RDONLY | unix.O_DIRECTORY | unix.O_CLOEXEC})
		if err == nil {
			unix.Close(fd)
		}
		haveOpenat2 = err == nil
	})
	if haveOpenat2 {
		how := unix.OpenHow{Flags: uint64(flags), Mode: 0, Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS}
		for {
			fd, err := unix.Openat2(dirfd, p, &how)
			if err != unix.EINTR && err != unix.EAGAIN {
				return fd, err
			}
		}
	}
	return openComponents(dirfd, p, flags)
}

// openComponents is openNoFollow without openat2: every directory on the
// way is opened with O_NOFOLLOW relative to the one before it. A clean
// path has no ".." component, so it cannot climb out.
func openComponents(dirfd int, p string, flags int) (int, error) {
	cur := dirfd
	defer func() {
		if cur != dirfd {
			unix.Close(cur)
		}
	}()
	for {
		name, rest, more := strings.Cut(p, "/")
		if !more {
			return retryEINTR(func() (int, error) { return unix.Openat(cur, name, flags, 0) })
		}
		next, err := retryEINTR(func() (int, error) {
			return unix.Openat(cur, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		})
		if err != nil {
			return -1, err
		}
		if cur != dirfd {
			unix.Close(cur)
		}
		cur, p = next, rest
	}
}

func retryEINTR(f func() (int, error)) (int, error) {
	for {
		fd, err := f()
		if err != unix.EINTR {
			return fd, err
		}
	}
}

// OpenNoFollow opens the regular file p for reading without following a
// symbolic link anywhere in p: unlike the Dir's other methods, which
// follow links that stay inside the workspace, a link on the way is an
// error. Snapshots read files this way, so a file is stored under the
// path it really has.
func (d *Dir) OpenNoFollow(p string) (_ *os.File, err error) {
	c, err := cleanNotRoot(p, "open")
	if err != nil {
		return nil, err
	}
	fd, err := openNoFollow(d.fd, c, unix.O_RDONLY|unix.O_NONBLOCK)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: c, Err: err}
	}
	f := os.NewFile(uintptr(fd), c)
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = &fs.PathError{Op: "open", Path: c, Err: ErrNotRegular}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
