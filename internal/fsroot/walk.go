package fsroot

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"slices"
	"sort"
	"strings"

	"golang.org/x/sync/errgroup"
	"golang.org/x/sys/unix"
)

// MaxDepth is how many directories deep Tree descends and a restored path
// may be.
const MaxDepth = 512

// MaxNameBytes is the longest name one path component may have
// (NAME_MAX).
const MaxNameBytes = 255

// Node describes one path as lstat(2) sees it: a symbolic link is a link,
// never what it points to.
type Node struct {
	Path   string      // clean, relative to the workspace
	Mode   fs.FileMode // type and permission bits
	Size   int64
	MTime  int64 // nanoseconds since the epoch
	CTime  int64
	Ino    uint64
	Target string // a symbolic link's target
}

// Tree lists every path beneath the workspace (not the root itself),
// parents before their children and siblings in byte order, without
// following a symbolic link. Each directory is opened relative to its
// parent's descriptor with O_NOFOLLOW and checked to be the directory that
// was listed, so a directory swapped for a link (or for another directory)
// between the listing and the descent is not entered: its node is kept,
// its contents are left out. Paths that vanish meanwhile are left out too.
// pid1's temporary files are never listed. The top-level directories are
// listed in parallel.
func (d *Dir) Tree(ctx context.Context) ([]Node, error) {
	var top []Node
	err := d.walkDir(ctx, d.fd, "", 0, func(dirfd int, n Node) (bool, error) {
		if err := checkLimits(n.Path); err != nil {
			return false, err
		}
		top = append(top, n)
		return false, nil
	}, skipTemp)
	if err != nil {
		return nil, err
	}
	subs := make([][]Node, len(top))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(4, 2*runtime.GOMAXPROCS(0)))
	for i, n := range top {
		if !n.Mode.IsDir() {
			continue
		}
		g.Go(func() error {
			return d.descend(gctx, d.fd, n, 1, func(_ int, c Node) (bool, error) {
				if err := checkLimits(c.Path); err != nil {
					return false, err
				}
				subs[i] = append(subs[i], c)
				return c.Mode.IsDir(), nil
			}, skipTemp)
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	out := make([]Node, 0, len(top))
	for i, n := range top {
		out = append(append(out, n), subs[i]...)
	}
	return out, nil
}

func skipTemp(name string) bool { return IsTemp(name) }

func checkLimits(p string) error {
	if len(p) > MaxPathBytes {
		return fmt.Errorf("%.80q…: the path is %d bytes long; the limit is %d", p, len(p), MaxPathBytes)
	}
	return nil
}

// visitFunc is called for each node in a directory (dirfd is that
// directory) and says whether to descend into it.
type visitFunc func(dirfd int, n Node) (descend bool, err error)

// walkDir describes every entry of the directory open at fd (whose clean
// path is dir, of depth components) except the names skip reports,
// calling visit for each and descending where it asks.
func (d *Dir) walkDir(ctx context.Context, fd int, dir string, depth int, visit visitFunc, skip func(string) bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	names, err := readNames(fd)
	if err != nil {
		return &fs.PathError{Op: "readdir", Path: osName(dir), Err: err}
	}
	sort.Strings(names)
	names = slices.Compact(names) // a listing racing with renames may repeat a name
	for _, name := range names {
		if skip(name) {
			continue
		}
		if depth+1 > MaxDepth {
			return fmt.Errorf("%.80q…: more than %d directories deep", Join(dir, name), MaxDepth)
		}
		n, ok, err := lstatAt(fd, dir, name)
		if err != nil {
			return err
		}
		if !ok {
			continue // vanished or changed under us
		}
		down, err := visit(fd, n)
		if err != nil {
			return err
		}
		if down && n.Mode.IsDir() {
			if err := d.descend(ctx, fd, n, depth+1, visit, skip); err != nil {
				return err
			}
		}
	}
	return nil
}

// descend walks the directory n (of depth components), a child of the
// directory open at parent, if it is still the directory lstat saw.
func (d *Dir) descend(ctx context.Context, parent int, n Node, depth int, visit visitFunc, skip func(string) bool) error {
	fd, err := retryEINTR(func() (int, error) {
		return unix.Openat(parent, baseName(n.Path), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	})
	switch err {
	case nil:
	case unix.ENOENT, unix.ELOOP, unix.ENOTDIR:
		return nil // replaced since it was listed: not entered
	default:
		return &fs.PathError{Op: "open", Path: n.Path, Err: err}
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return &fs.PathError{Op: "stat", Path: n.Path, Err: err}
	}
	if st.Ino != n.Ino {
		return nil // another directory took its name
	}
	return d.walkDir(ctx, fd, n.Path, depth, visit, skip)
}

// readNames lists the directory open at fd through a descriptor of its
// own, so that concurrent listings of one directory do not share an
// offset.
func readNames(fd int) ([]string, error) {
	own, err := retryEINTR(func() (int, error) {
		return unix.Openat(fd, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	})
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(own), ".")
	defer f.Close()
	return f.Readdirnames(-1)
}

// lstatAt describes name in the directory open at fd; ok is false when it
// vanished (or a link turned into something else) before it could be
// described.
func lstatAt(fd int, dir, name string) (n Node, ok bool, err error) {
	p := Join(dir, name)
	var st unix.Stat_t
	for {
		err = unix.Fstatat(fd, name, &st, unix.AT_SYMLINK_NOFOLLOW)
		if err != unix.EINTR {
			break
		}
	}
	switch err {
	case nil:
	case unix.ENOENT:
		return n, false, nil
	default:
		return n, false, &fs.PathError{Op: "lstat", Path: p, Err: err}
	}
	n = Node{Path: p, Mode: modeOf(st.Mode), Size: st.Size, MTime: st.Mtim.Nano(), CTime: st.Ctim.Nano(), Ino: st.Ino}
	if n.Mode&fs.ModeSymlink != 0 {
		target, err := readlinkAt(fd, name)
		switch err {
		case nil:
			n.Target = target
		case unix.ENOENT, unix.EINVAL:
			return n, false, nil
		default:
			return n, false, &fs.PathError{Op: "readlink", Path: p, Err: err}
		}
	}
	return n, true, nil
}

func readlinkAt(fd int, name string) (string, error) {
	for size := 256; ; size *= 2 {
		buf := make([]byte, size)
		n, err := unix.Readlinkat(fd, name, buf)
		if err == unix.EINTR {
			size /= 2
			continue
		}
		if err != nil {
			return "", err
		}
		if n < size {
			return string(buf[:n]), nil
		}
	}
}

// modeOf converts a stat(2) mode to an fs.FileMode.
func modeOf(m uint32) fs.FileMode {
	mode := fs.FileMode(m & 0o777)
	switch m & unix.S_IFMT {
	case unix.S_IFDIR:
		mode |= fs.ModeDir
	case unix.S_IFLNK:
		mode |= fs.ModeSymlink
	case unix.S_IFIFO:
		mode |= fs.ModeNamedPipe
	case unix.S_IFSOCK:
		mode |= fs.ModeSocket
	case unix.S_IFCHR:
		mode |= fs.ModeDevice | fs.ModeCharDevice
	case unix.S_IFBLK:
		mode |= fs.ModeDevice
	}
	if m&unix.S_ISUID != 0 {
		mode |= fs.ModeSetuid
	}
	if m&unix.S_ISGID != 0 {
		mode |= fs.ModeSetgid
	}
	if m&unix.S_ISVTX != 0 {
		mode |= fs.ModeSticky
	}
	return mode
}

// baseName is the last component of a clean path.
func baseName(clean string) string { return clean[strings.LastIndexByte(clean, '/')+1:] }
