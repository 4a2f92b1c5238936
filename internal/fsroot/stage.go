package fsroot

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// stagePrefix names the directories stages are built in: temporary names,
// hidden from listings, events and snapshots like every other.
const stagePrefix = TempPrefix + "stage-"

// The names inside a stage directory.
const (
	stageNew      = "new"      // the tree being built
	stageOld      = "old"      // the workspace's previous contents, during Commit
	stageSwapping = "swapping" // exists once every old name is in old/: Commit is past the point of no return
)

// ErrSwapIncomplete is in the error of a Commit that failed and could not
// undo what it had moved: the workspace is part old, part new until the
// next RemoveStale finishes or undoes the swap.
var ErrSwapIncomplete = errors.New("the swap could not be undone")

// Stage is a new tree for the whole workspace, built in a hidden directory
// inside it and swapped in for the workspace's contents by Commit. Until
// Commit the workspace is untouched, so building can fail at any point
// (Abort throws the stage away). Paths are clean workspace paths; nothing
// in a stage follows a symbolic link: parents are opened with O_NOFOLLOW
// beneath the stage and entries are created with O_EXCL.
//
// A stage is built by one goroutine at a time, except that Create, Link,
// Symlink, Open and Remove may run concurrently once the directories they
// need exist. Commit must not run concurrently with anything else that
// changes the workspace's top level.
type Stage struct {
	d     *Dir
	name  string // the stage directory, in the workspace root
	fd    int    // the stage directory
	newfd int    // its "new" subdirectory
	done  bool
}

// NewStage starts an empty stage.
func (d *Dir) NewStage() (*Stage, error) {
	name := stagePrefix + tempSuffix()
	if err := unix.Mkdirat(d.fd, name, 0o700); err != nil {
		return nil, &fs.PathError{Op: "mkdir", Path: name, Err: err}
	}
	s := &Stage{d: d, name: name, fd: -1, newfd: -1}
	var err error
	if s.fd, err = openNoFollow(d.fd, name, unix.O_RDONLY|unix.O_DIRECTORY); err == nil {
		if err = unix.Mkdirat(s.fd, stageNew, 0o700); err == nil {
			s.newfd, err = openNoFollow(s.fd, stageNew, unix.O_RDONLY|unix.O_DIRECTORY)
		}
	}
	if err != nil {
		s.Abort()
		return nil, &fs.PathError{Op: "mkdir", Path: name, Err: err}
	}
	return s, nil
}

// at opens the parent directory of the clean path c beneath dirfd and
// returns it with c's last component; the caller closes the descriptor.
func at(dirfd int, op, c string) (int, string, error) {
	if c == "" {
		return -1, "", fmt.Errorf("%s: the stage's root is not an entry", op)
	}
	fd, err := openNoFollow(dirfd, Parent(c), unix.O_RDONLY|unix.O_DIRECTORY)
	if err != nil {
		return -1, "", &fs.PathError{Op: op, Path: c, Err: err}
	}
	return fd, baseName(c), nil
}

// Mkdir creates the directory p (mode 0700 until Chmod); its parent must
// exist in the stage.
func (s *Stage) Mkdir(p string) error {
	pfd, name, err := at(s.newfd, "mkdir", p)
	if err != nil {
		return err
	}
	defer unix.Close(pfd)
	if err := unix.Mkdirat(pfd, name, 0o700); err != nil {
		return &fs.PathError{Op: "mkdir", Path: p, Err: err}
	}
	return s.own(pfd, name, p)
}

// Symlink creates the symbolic link p pointing to target. The stage never
// follows it.
func (s *Stage) Symlink(target, p string) error {
	pfd, name, err := at(s.newfd, "symlink", p)
	if err != nil {
		return err
	}
	defer unix.Close(pfd)
	if err := unix.Symlinkat(target, pfd, name); err != nil {
		return &fs.PathError{Op: "symlink", Path: p, Err: err}
	}
	return s.own(pfd, name, p)
}

// Create creates the regular file p (mode 0600) for writing; set its mode
// with the file's Chmod.
func (s *Stage) Create(p string) (*os.File, error) {
	pfd, name, err := at(s.newfd, "create", p)
	if err != nil {
		return nil, err
	}
	defer unix.Close(pfd)
	fd, err := retryEINTR(func() (int, error) {
		return unix.Openat(pfd, name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	})
	if err != nil {
		return nil, &fs.PathError{Op: "create", Path: p, Err: err}
	}
	if err := s.own(pfd, name, p); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return os.NewFile(uintptr(fd), p), nil
}

// Link makes the stage's p a hard link to the workspace's regular file at
// the same path (reached without following a link), so that content which
// did not change is neither copied nor downloaded. The two names share one
// inode: check the content through Open, and do not change the mode of a
// linked file before Commit, since that would change the workspace's.
func (s *Stage) Link(p string) error {
	spfd, name, err := at(s.d.fd, "link", p)
	if err != nil {
		return err
	}
	defer unix.Close(spfd)
	var st unix.Stat_t
	if err := unix.Fstatat(spfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return &fs.PathError{Op: "link", Path: p, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return &fs.PathError{Op: "link", Path: p, Err: ErrNotRegular}
	}
	pfd, _, err := at(s.newfd, "link", p)
	if err != nil {
		return err
	}
	defer unix.Close(pfd)
	if err := unix.Linkat(spfd, name, pfd, name, 0); err != nil {
		return &fs.PathError{Op: "link", Path: p, Err: err}
	}
	return nil
}

// Open opens the stage's regular file p for reading.
func (s *Stage) Open(p string) (*os.File, error) {
	fd, err := openNoFollow(s.newfd, p, unix.O_RDONLY|unix.O_NONBLOCK)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: p, Err: err}
	}
	f := os.NewFile(uintptr(fd), p)
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = &fs.PathError{Op: "open", Path: p, Err: ErrNotRegular}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// Remove removes the stage's file or link p.
func (s *Stage) Remove(p string) error {
	pfd, name, err := at(s.newfd, "remove", p)
	if err != nil {
		return err
	}
	defer unix.Close(pfd)
	if err := unix.Unlinkat(pfd, name, 0); err != nil {
		return &fs.PathError{Op: "remove", Path: p, Err: err}
	}
	return nil
}

// ChmodDir sets the permission bits of the stage's directory p. Set a
// directory's mode after its contents are in place (a read-only directory
// refuses new entries to anyone but root).
func (s *Stage) ChmodDir(p string, mode fs.FileMode) error {
	fd, err := openNoFollow(s.newfd, p, unix.O_RDONLY|unix.O_DIRECTORY)
	if err != nil {
		return &fs.PathError{Op: "chmod", Path: p, Err: err}
	}
	defer unix.Close(fd)
	if err := unix.Fchmod(fd, uint32(mode.Perm())); err != nil {
		return &fs.PathError{Op: "chmod", Path: p, Err: err}
	}
	return nil
}

// Commit makes the stage's tree durable (one syncfs(2) for all of it) and
// swaps it in: every top-level name of the workspace (but pid1's
// temporary ones) moves into the stage's old/, then every name of the new
// tree moves into the workspace, and old/ is removed. Renames never
// replace anything. If a rename fails, what was moved is moved back and
// the workspace is as it was. If pid1 dies during the swap, RemoveStale at
// the next start undoes it (while old names were still moving) or
// finishes it (once they all had).
func (s *Stage) Commit() error {
	if s.done {
		return errors.New("commit: the stage was already committed or aborted")
	}
	if err := unix.Syncfs(s.newfd); err != nil {
		return fmt.Errorf("commit: syncing the restored files: %w", err)
	}
	if err := unix.Mkdirat(s.fd, stageOld, 0o700); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	oldfd, err := openNoFollow(s.fd, stageOld, unix.O_RDONLY|unix.O_DIRECTORY)
	if err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	defer unix.Close(oldfd)
	current, err := readNames(s.d.fd)
	if err != nil {
		return fmt.Errorf("commit: listing the workspace: %w", err)
	}
	var out []string // names moved from the workspace to old/
	for _, n := range current {
		if IsTemp(n) {
			continue
		}
		if err := moveName(s.d.fd, oldfd, n); err != nil {
			return s.undo(oldfd, out, nil, fmt.Errorf("commit: moving %s aside: %w", n, err))
		}
		out = append(out, n)
	}
	if err := unix.Mkdirat(s.fd, stageSwapping, 0o700); err != nil {
		return s.undo(oldfd, out, nil, fmt.Errorf("commit: %w", err))
	}
	if err := unix.Fsync(s.fd); err != nil {
		return s.undo(oldfd, out, nil, fmt.Errorf("commit: %w", err))
	}
	staged, err := readNames(s.newfd)
	if err != nil {
		return s.undo(oldfd, out, nil, fmt.Errorf("commit: listing the stage: %w", err))
	}
	var in []string // names moved from new/ into the workspace
	for _, n := range staged {
		if err := moveName(s.newfd, s.d.fd, n); err != nil {
			return s.undo(oldfd, out, in, fmt.Errorf("commit: moving %s into place: %w", n, err))
		}
		in = append(in, n)
	}
	if err := unix.Fsync(s.d.fd); err != nil {
		return fmt.Errorf("commit: syncing the workspace directory: %w", err)
	}
	s.Abort() // removes old/ and the empty stage
	return nil
}

// undo moves the names in back to new/ and the names out back into the
// workspace, after a failed Commit, and returns cause (with what could not
// be undone, if anything).
func (s *Stage) undo(oldfd int, out, in []string, cause error) error {
	var failed []error
	for _, n := range in {
		if err := moveName(s.d.fd, s.newfd, n); err != nil {
			failed = append(failed, fmt.Errorf("moving %s back: %w", n, err))
		}
	}
	if len(failed) == 0 {
		if err := unix.Unlinkat(s.fd, stageSwapping, unix.AT_REMOVEDIR); err != nil && err != unix.ENOENT {
			failed = append(failed, err)
		}
	}
	if len(failed) == 0 {
		for _, n := range out {
			if err := moveName(oldfd, s.d.fd, n); err != nil {
				failed = append(failed, fmt.Errorf("moving %s back: %w", n, err))
			}
		}
	}
	if len(failed) > 0 {
		s.done = true // keep the stage: the next start finishes or undoes the swap
		unix.Close(s.newfd)
		unix.Close(s.fd)
		return fmt.Errorf("%w; %w (%w): the next start of pid1 finishes or undoes it from %s", cause, ErrSwapIncomplete, errors.Join(failed...), s.name)
	}
	s.Abort()
	return cause
}

// moveName renames name from one directory to another without replacing
// anything there.
func moveName(from, to int, name string) error {
	for {
		err := unix.Renameat2(from, name, to, name, unix.RENAME_NOREPLACE)
		if err != unix.EINTR {
			return err
		}
	}
}

// Abort throws the stage away; after Commit it does nothing.
func (s *Stage) Abort() {
	if s.done {
		return
	}
	s.done = true
	if s.newfd >= 0 {
		unix.Close(s.newfd)
	}
	if s.fd >= 0 {
		unix.Close(s.fd)
	}
	s.d.root.RemoveAll(s.name)
}

// own gives the new entry name in pfd to the workspace's owner, if one is
// set (Dir.SetOwner).
func (s *Stage) own(pfd int, name, p string) error {
	if s.d.uid < 0 {
		return nil
	}
	if err := unix.Fchownat(pfd, name, s.d.uid, s.d.gid, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return &fs.PathError{Op: "chown", Path: p, Err: err}
	}
	return nil
}
