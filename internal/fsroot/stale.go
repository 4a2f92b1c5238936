package fsroot

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"golang.org/x/sys/unix"
)

// Cleanup is what RemoveStale did.
type Cleanup struct {
	Removed    int   // temporary files (and directories) removed
	Bytes      int64 // the size of the files among them
	Finished   int   // restores interrupted after the point of no return, completed
	RolledBack int   // restores interrupted before it, undone
}

// RemoveStale puts the workspace in order after pid1 was killed. It is for
// start-up, before anything else uses the workspace. First it finishes or
// undoes a stage's swap that was interrupted (see Stage.Commit); then it
// removes every temporary file pid1 left anywhere in the tree, such as the
// .~pid1-*.tmp of an atomic write or a transfer that was cut off. It
// follows no symbolic link. An interrupted swap that cannot be sorted out
// is an error, and its stage is left in place with the files in it.
func (d *Dir) RemoveStale(ctx context.Context) (Cleanup, error) {
	var c Cleanup
	top, err := readNames(d.fd)
	if err != nil {
		return c, &fs.PathError{Op: "readdir", Path: ".", Err: err}
	}
	for _, name := range top {
		if !strings.HasPrefix(name, stagePrefix) {
			continue
		}
		finished, err := d.recoverStage(name)
		if err != nil {
			return c, fmt.Errorf("an interrupted restore left %s in the workspace and it could not be sorted out: %w", name, err)
		}
		switch finished {
		case swapFinished:
			c.Finished++
		case swapUndone:
			c.RolledBack++
		default:
			c.Removed++ // a stage that never began to swap
		}
	}
	err = d.walkDir(ctx, d.fd, "", 0, func(dirfd int, n Node) (bool, error) {
		name := baseName(n.Path)
		if !IsTemp(name) {
			return n.Mode.IsDir(), nil
		}
		var err error
		if n.Mode.IsDir() {
			err = d.root.RemoveAll(n.Path)
		} else {
			err = unix.Unlinkat(dirfd, name, 0)
		}
		if err != nil && !errors.Is(err, unix.ENOENT) {
			return false, &fs.PathError{Op: "remove", Path: n.Path, Err: unwrapPathErr(err)}
		}
		c.Removed++
		if n.Mode.IsRegular() {
			c.Bytes += n.Size
		}
		return false, nil
	}, func(string) bool { return false })
	return c, err
}

type swapOutcome int

const (
	swapNotStarted swapOutcome = iota
	swapFinished
	swapUndone
)

// recoverStage finishes or undoes the swap of the stage directory name
// and removes it.
func (d *Dir) recoverStage(name string) (swapOutcome, error) {
	sfd, err := openNoFollow(d.fd, name, unix.O_RDONLY|unix.O_DIRECTORY)
	if err != nil {
		return swapNotStarted, err
	}
	defer unix.Close(sfd)
	has := func(n string) bool {
		var st unix.Stat_t
		return unix.Fstatat(sfd, n, &st, unix.AT_SYMLINK_NOFOLLOW) == nil
	}
	outcome := swapNotStarted
	switch {
	case has(stageSwapping):
		// Every old name was in old/: move in what new/ still holds.
		if err := moveAll(sfd, stageNew, d.fd); err != nil {
			return outcome, err
		}
		outcome = swapFinished
	case has(stageOld):
		// The old names were moving out: move them back.
		if err := moveAll(sfd, stageOld, d.fd); err != nil {
			return outcome, err
		}
		outcome = swapUndone
	}
	if err := d.root.RemoveAll(name); err != nil {
		return outcome, err
	}
	return outcome, nil
}

// moveAll moves every name in the directory sub of dirfd into to, which
// must not hold any of them.
func moveAll(dirfd int, sub string, to int) error {
	fd, err := openNoFollow(dirfd, sub, unix.O_RDONLY|unix.O_DIRECTORY)
	if errors.Is(err, unix.ENOENT) {
		return nil
	}
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	names, err := readNames(fd)
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := moveName(fd, to, n); err != nil {
			return fmt.Errorf("moving %s/%s back into the workspace: %w", sub, n, err)
		}
	}
	return nil
}
