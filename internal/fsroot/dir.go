package fsroot

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
	"time"
	"unicode/utf8"
)

// DefaultMaxRead is the largest file one Read returns (a reply must fit in
// one WebSocket frame).
const DefaultMaxRead = 16 << 20

// Dir is the workspace directory. Its methods take client paths, check them
// with Clean and resolve them beneath the directory. A Dir is safe for
// concurrent use.
type Dir struct {
	root    *os.Root
	fd      int      // the directory itself, for the *at calls that never follow a link
	fdFile  *os.File // owns fd
	path    string
	maxRead int64
	// uid and gid own what the Dir creates, when pid1 runs as root and
	// the workspace belongs to another user (SetOwner); -1 leaves it to
	// pid1's own user.
	uid, gid int
}

// Open opens (creating it if needed) the directory at path.
func Open(path string) (*Dir, error) {
	if err := os.MkdirAll(path, 0o755); err != nil {
		return nil, err
	}
	r, err := os.OpenRoot(path)
	if err != nil {
		return nil, err
	}
	f, err := r.Open(".")
	if err != nil {
		r.Close()
		return nil, err
	}
	return &Dir{root: r, fd: int(f.Fd()), fdFile: f, path: path, maxRead: DefaultMaxRead, uid: -1, gid: -1}, nil
}

// SetOwner makes uid and gid own every file, directory and link the Dir
// creates from now on (and the workspace directory itself), so that the
// workspace's user can change what pid1 wrote for its clients. Call it
// before the Dir is shared.
func (d *Dir) SetOwner(uid, gid int) error {
	d.uid, d.gid = uid, gid
	return d.fdFile.Chown(uid, gid)
}

// own gives the new entry c to the workspace's owner, if one is set.
func (d *Dir) own(c string) error {
	if d.uid < 0 {
		return nil
	}
	return d.root.Lchown(osName(c), d.uid, d.gid)
}

// SetMaxRead changes the largest file Read returns.
func (d *Dir) SetMaxRead(n int64) { d.maxRead = n }

// Path is the directory's path on this machine.
func (d *Dir) Path() string { return d.path }

// Close releases the directory.
func (d *Dir) Close() error {
	d.fdFile.Close()
	return d.root.Close()
}

// Info is what Stat reports.
type Info struct {
	Dir     bool
	Size    int64
	Mode    fs.FileMode
	ModTime time.Time
}

func infoOf(fi fs.FileInfo) Info {
	return Info{Dir: fi.IsDir(), Size: fi.Size(), Mode: fi.Mode(), ModTime: fi.ModTime()}
}

// Entry is one name in a directory listing.
type Entry struct {
	Name string
	Dir  bool
}

// Read returns the contents of the file at p.
func (d *Dir) Read(p string) ([]byte, error) { return d.ReadInto(p, nil) }

// ReadInto is Read into buf's storage when it is large enough (the result
// starts at buf[:0]); otherwise into a new slice.
func (d *Dir) ReadInto(p string, buf []byte) (_ []byte, err error) {
	defer goStyle(&err)
	f, fi, c, err := d.openKind(p, "read", false)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi.Size() > d.maxRead {
		return nil, fmt.Errorf("read %s: the file is %s, more than the %s one read may return", c, Size(fi.Size()), Size(d.maxRead))
	}
	b, err := readAll(f, buf[:0], fi.Size(), d.maxRead)
	if err == nil && int64(len(b)) > d.maxRead {
		err = fmt.Errorf("read %s: the file grew past the %s one read may return", c, Size(d.maxRead))
	}
	return b, err
}

// readAll reads f to its end into one buffer sized for the size its
// stat gave (growing only if the file grew meanwhile), stopping once it
// holds more than limit bytes. It uses b's storage if that is large
// enough.
func readAll(f *os.File, b []byte, size, limit int64) ([]byte, error) {
	if want := min(size, limit) + 1; int64(cap(b)) < want { // the extra byte sees EOF without growing
		b = make([]byte, 0, want)
	}
	for int64(len(b)) <= limit {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := f.Read(b[len(b):min(cap(b), int(limit)+1)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
	return b, nil
}

// openKind opens p, which must be a directory when dir is true and must
// not be one otherwise (op names the operation in that error).
func (d *Dir) openKind(p, op string, dir bool) (*os.File, fs.FileInfo, string, error) {
	c, err := Clean(p)
	if err != nil {
		return nil, nil, "", err
	}
	f, err := d.root.Open(osName(c))
	if err != nil {
		return nil, nil, "", err
	}
	fi, err := f.Stat()
	if err == nil && fi.IsDir() != dir {
		wrong := syscall.EISDIR
		if dir {
			wrong = syscall.ENOTDIR
		}
		err = &fs.PathError{Op: op, Path: osName(c), Err: wrong}
	}
	if err != nil {
		f.Close()
		return nil, nil, "", err
	}
	return f, fi, c, nil
}

// Write replaces the file at p with data atomically, creating missing
// parent directories. An existing file keeps its permissions; a symbolic
// link is written through to its target.
func (d *Dir) Write(p string, data []byte) error {
	w, err := d.Create(p)
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		w.Abort()
		return err
	}
	return w.Commit()
}

// Remove removes the file or directory tree at p, which must exist.
func (d *Dir) Remove(p string) (err error) {
	defer goStyle(&err)
	c, err := cleanNotRoot(p, "remove")
	if err != nil {
		return err
	}
	if _, err := d.root.Lstat(c); err != nil {
		return &fs.PathError{Op: "remove", Path: c, Err: unwrapPathErr(err)}
	}
	return d.root.RemoveAll(c)
}

// TryRemove is Remove without the error when p does not exist.
func (d *Dir) TryRemove(p string) (err error) {
	defer goStyle(&err)
	c, err := cleanNotRoot(p, "remove")
	if err != nil {
		return err
	}
	return d.root.RemoveAll(c)
}

// Move renames from to to, creating to's missing parent directories.
func (d *Dir) Move(from, to string) (err error) {
	defer goStyle(&err)
	f, err := cleanNotRoot(from, "move")
	if err != nil {
		return err
	}
	t, err := cleanNotRoot(to, "move")
	if err != nil {
		return err
	}
	if _, err := d.root.Lstat(f); err != nil {
		return &os.LinkError{Op: "rename", Old: f, New: t, Err: unwrapPathErr(err)}
	}
	if err := d.mkParents(t); err != nil {
		return err
	}
	if err := d.root.Rename(f, t); err != nil {
		return err
	}
	return d.syncDir(Parent(t))
}

// Mkdir creates the directory p and its parents; it is not an error if p
// is already a directory.
func (d *Dir) Mkdir(p string) (err error) {
	defer goStyle(&err)
	c, err := Clean(p)
	if err != nil {
		return err
	}
	return d.mkdirAll(c)
}

// mkdirAll creates the directory c and its missing parents, each owned by
// the workspace's owner (os.Root.MkdirAll cannot say who owns them). Its
// errors read as os.Root.MkdirAll's: c being a file "file exists", one of
// its parents being one "not a directory".
func (d *Dir) mkdirAll(c string) error {
	if c == "" {
		return nil
	}
	// Stat follows a link to a directory that stays in the workspace, as
	// os.Root does.
	switch fi, err := d.root.Stat(osName(c)); {
	case err == nil && fi.IsDir():
		return nil
	case err == nil:
		return &fs.PathError{Op: "mkdir", Path: c, Err: syscall.EEXIST}
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	if err := d.mkdirAll(Parent(c)); err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) && pe.Err == syscall.EEXIST {
			return &fs.PathError{Op: "mkdir", Path: c, Err: syscall.ENOTDIR}
		}
		return err
	}
	if err := d.root.Mkdir(osName(c), 0o755); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil // made meanwhile
		}
		return err
	}
	return d.own(c)
}

// ReadDir lists the directory p, sorted by name. Names that are not valid
// UTF-8 (which the protocol cannot carry) and pid1's own temporary files are
// left out.
func (d *Dir) ReadDir(p string) (_ []Entry, err error) {
	defer goStyle(&err)
	f, _, c, err := d.openKind(p, "readdir", true)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	des, err := f.ReadDir(-1)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(des))
	for _, de := range des {
		if !utf8.ValidString(de.Name()) || IsTemp(de.Name()) {
			continue
		}
		isDir := de.IsDir()
		if de.Type()&fs.ModeSymlink != 0 {
			if fi, err := d.root.Stat(Join(c, de.Name())); err == nil {
				isDir = fi.IsDir()
			}
		}
		out = append(out, Entry{Name: de.Name(), Dir: isDir})
	}
	sortEntries(out)
	return out, nil
}

// Stat describes p. A missing p (or a dangling link) gives exists false
// and no error.
func (d *Dir) Stat(p string) (info Info, exists bool, err error) {
	defer goStyle(&err)
	c, err := Clean(p)
	if err != nil {
		return Info{}, false, err
	}
	fi, err := d.root.Stat(osName(c))
	if errors.Is(err, fs.ErrNotExist) {
		return Info{}, false, nil
	}
	if err != nil {
		return Info{}, false, err
	}
	return infoOf(fi), true, nil
}

// Lstat is Stat without following a final symbolic link.
func (d *Dir) Lstat(p string) (_ Info, err error) {
	defer goStyle(&err)
	c, err := Clean(p)
	if err != nil {
		return Info{}, err
	}
	fi, err := d.root.Lstat(osName(c))
	if err != nil {
		return Info{}, err
	}
	return infoOf(fi), nil
}

func cleanNotRoot(p, op string) (string, error) {
	c, err := Clean(p)
	if err != nil {
		return "", err
	}
	if c == "" {
		return "", fmt.Errorf("%s: refusing to %s the workspace root", op, op)
	}
	return c, nil
}

func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func (d *Dir) mkParents(c string) error {
	return d.mkdirAll(Parent(c))
}

// syncDir makes a rename in dir durable.
func (d *Dir) syncDir(dir string) error {
	f, err := d.root.Open(osName(dir))
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// atOps maps the *at system calls os.Root reports to the os operation
// names clients know ("openat x: ..." becomes "open x: ...").
var atOps = map[string]string{
	"openat": "open", "fstatat": "stat", "statat": "stat", "mkdirat": "mkdir",
	"unlinkat": "remove", "renameat": "rename", "readlinkat": "readlink", "lstatat": "lstat",
}

// goStyle rewrites *err in place so that it reads like an os error.
func goStyle(err *error) {
	var pe *fs.PathError
	if *err != nil && errors.As(*err, &pe) {
		if op, ok := atOps[pe.Op]; ok {
			pe.Op = op
		}
	}
	var le *os.LinkError
	if *err != nil && errors.As(*err, &le) {
		if op, ok := atOps[le.Op]; ok {
			le.Op = op
		}
	}
}

// OpenDir opens the directory p for reading (a watch, a listing).
func (d *Dir) OpenDir(p string) (_ *os.File, err error) {
	defer goStyle(&err)
	f, _, _, err := d.openKind(p, "open", true)
	return f, err
}

// OpenFile opens the file p (not a directory) for reading.
func (d *Dir) OpenFile(p string) (_ *os.File, err error) {
	defer goStyle(&err)
	f, _, _, err := d.openKind(p, "read", false)
	return f, err
}

// Chmod sets p's permission bits.
func (d *Dir) Chmod(p string, mode fs.FileMode) (err error) {
	defer goStyle(&err)
	c, err := Clean(p)
	if err != nil {
		return err
	}
	return d.root.Chmod(osName(c), mode.Perm())
}

// Symlink creates a symbolic link at p pointing to target. Following it
// through a Dir is still confined to the workspace.
func (d *Dir) Symlink(target, p string) (err error) {
	defer goStyle(&err)
	c, err := cleanNotRoot(p, "symlink")
	if err != nil {
		return err
	}
	if err := d.mkParents(c); err != nil {
		return err
	}
	if err := d.root.Symlink(target, c); err != nil {
		return err
	}
	return d.own(c)
}
