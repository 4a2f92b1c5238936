package fsroot

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
	"syscall"
)

// TempPrefix starts the names of pid1's temporary files. Listings and
// file events leave such names out.
const TempPrefix = ".~pid1-"

// IsTemp reports whether a base name is one of pid1's temporary files.
func IsTemp(name string) bool { return strings.HasPrefix(name, TempPrefix) }

// maxLinks bounds how many symbolic links Create follows (as ELOOP does).
const maxLinks = 40

// Pending is a file being written: the data goes to a temporary file next
// to the target, and Commit renames it into place.
type Pending struct {
	d      *Dir
	f      *os.File
	tmp    string
	target string
	mode   fs.FileMode
	n      int64
}

// Create starts an atomic write of the file at p (see Write).
func (d *Dir) Create(p string) (_ *Pending, err error) {
	defer goStyle(&err)
	c, err := cleanNotRoot(p, "write")
	if err != nil {
		return nil, err
	}
	target, mode, err := d.resolveTarget(c)
	if err != nil {
		return nil, err
	}
	tmp := path.Join(Parent(target), TempPrefix+tempSuffix())
	f, err := d.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrNotExist) {
		if err = d.mkParents(target); err == nil {
			f, err = d.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		}
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: c, Err: unwrapPathErr(err)}
	}
	return &Pending{d: d, f: f, tmp: tmp, target: target, mode: mode}, nil
}

// resolveTarget follows symbolic links at c (staying inside the
// workspace) to the name that will be replaced, and returns the
// permissions the new file gets.
func (d *Dir) resolveTarget(c string) (string, fs.FileMode, error) {
	name := c
	for range maxLinks {
		fi, err := d.root.Lstat(name)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return name, 0o644, nil
		case err != nil:
			return "", 0, &fs.PathError{Op: "open", Path: c, Err: unwrapPathErr(err)}
		case fi.IsDir():
			return "", 0, &fs.PathError{Op: "open", Path: c, Err: syscall.EISDIR}
		case fi.Mode()&fs.ModeSymlink == 0:
			if !fi.Mode().IsRegular() {
				return "", 0, &fs.PathError{Op: "open", Path: c, Err: errors.New("not a regular file")}
			}
			return name, fi.Mode().Perm(), nil
		}
		link, err := d.root.Readlink(name)
		if err != nil {
			return "", 0, &fs.PathError{Op: "open", Path: c, Err: unwrapPathErr(err)}
		}
		if path.IsAbs(link) {
			return "", 0, &fs.PathError{Op: "open", Path: c, Err: errors.New("path escapes from parent")}
		}
		next, err := Clean(path.Join(Parent(name), link))
		if err != nil || next == "" {
			return "", 0, &fs.PathError{Op: "open", Path: c, Err: errors.New("path escapes from parent")}
		}
		name = next
	}
	return "", 0, &fs.PathError{Op: "open", Path: c, Err: syscall.ELOOP}
}

func tempSuffix() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:]) + ".tmp"
}

// Write appends to the pending file.
func (w *Pending) Write(b []byte) (int, error) {
	n, err := w.f.Write(b)
	w.n += int64(n)
	return n, err
}

// Written is how many bytes were written so far.
func (w *Pending) Written() int64 { return w.n }

// Commit makes the data durable and renames it over the target.
func (w *Pending) Commit() (err error) {
	defer goStyle(&err)
	err = w.f.Chmod(w.mode)
	if err == nil && w.d.uid >= 0 {
		err = w.f.Chown(w.d.uid, w.d.gid)
	}
	if err == nil {
		err = w.f.Sync()
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = w.d.root.Rename(w.tmp, w.target)
	}
	if err != nil {
		w.d.root.Remove(w.tmp)
		return fmt.Errorf("write %s: %w", w.target, unwrapPathErr(err))
	}
	return w.d.syncDir(Parent(w.target))
}

// Abort throws the pending data away.
func (w *Pending) Abort() {
	w.f.Close()
	w.d.root.Remove(w.tmp)
}

// SetMode sets the permissions the file gets on Commit.
func (w *Pending) SetMode(m fs.FileMode) { w.mode = m.Perm() }
