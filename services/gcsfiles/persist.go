package gcsfiles

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/pid1/pid1/internal/fsroot"
	"github.com/pid1/pid1/internal/storage"
)

// persister copies workspace paths to the bucket. It implements
// files.Mirror.
type persister struct {
	dir    *fsroot.Dir
	bucket *storage.Bucket
	ignore map[string]bool
	ctx    context.Context
}

func ignoreSet(dirs []string) map[string]bool {
	m := make(map[string]bool, len(dirs))
	for _, d := range dirs {
		m[d] = true
	}
	return m
}

// excluded reports whether a clean path is never persisted: a dotfile at
// the workspace's top level, anything under an ignored directory, and
// pid1's temporary files.
func (p *persister) excluded(path string) bool {
	if path == "" {
		return false
	}
	parts := strings.Split(path, "/")
	if strings.HasPrefix(parts[0], ".") || fsroot.IsTemp(parts[len(parts)-1]) {
		return true
	}
	for _, part := range parts {
		if p.ignore[part] {
			return true
		}
	}
	return false
}

// Wrote persists the file just written.
func (p *persister) Wrote(path string) error {
	if p.excluded(path) {
		return nil
	}
	if err := p.upload(path); err != nil {
		return p.fail("write", path, err)
	}
	return p.sync("write", path)
}

// Removed deletes path, and everything under it, from the bucket.
func (p *persister) Removed(path string) error {
	if _, err := p.deleteTree(path, nil); err != nil {
		return p.fail("remove", path, err)
	}
	return p.sync("remove", path)
}

// Moved deletes the old objects and persists the new path.
func (p *persister) Moved(from, to string) error {
	if _, err := p.deleteTree(from, nil); err != nil {
		return p.fail("move", from, err)
	}
	return p.persist(to, false)
}

// persist uploads path (a file or a whole tree). With mirror, objects
// under path that have no persisted local counterpart are deleted.
func (p *persister) persist(path string, mirror bool) error {
	c, err := fsroot.Clean(path)
	if err != nil {
		return err
	}
	if _, exists, err := p.dir.Stat(c); err != nil {
		return err
	} else if !exists && !mirror {
		return fmt.Errorf("persist %s: no such file or directory", display(c))
	}
	kept := map[string]bool{}
	if err := p.walk(c, func(file string) error {
		kept[file] = true
		return p.upload(file)
	}); err != nil {
		return p.fail("persist", c, err)
	}
	if mirror {
		if _, err := p.deleteTree(c, kept); err != nil {
			return p.fail("persistMirror", c, err)
		}
	}
	return p.sync("persist", c)
}

// walk calls fn for every regular file at or under c that is persisted.
// Symbolic links are not followed.
func (p *persister) walk(c string, fn func(string) error) error {
	if p.excluded(c) {
		return nil
	}
	info, err := p.dir.Lstat(c)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	switch {
	case info.Mode.IsRegular():
		return fn(c)
	case !info.Dir:
		return nil // links, devices, sockets
	}
	es, err := p.dir.ReadDir(c)
	if err != nil {
		return err
	}
	for _, e := range es {
		if err := p.walk(fsroot.Join(c, e.Name), fn); err != nil {
			return err
		}
	}
	return nil
}

func (p *persister) upload(file string) error {
	f, err := p.dir.OpenFile(file)
	if err != nil {
		return err
	}
	defer f.Close()
	w, err := p.bucket.NewWriter(p.ctx, file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, f); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// deleteTree deletes the object c and the objects under c/, except those
// in keep. It returns how many it deleted.
func (p *persister) deleteTree(c string, keep map[string]bool) (int, error) {
	n := 0
	del := func(key string) error {
		if keep[key] {
			return nil
		}
		err := p.bucket.Delete(p.ctx, key)
		if errors.Is(err, storage.ErrNotFound) {
			return nil
		}
		if err == nil {
			n++
		}
		return err
	}
	if c != "" {
		// A file:// bucket holds "a" as a directory when "a/b" exists, so
		// the key itself is deleted only if it is an object.
		if ok, err := p.bucket.Exists(p.ctx, c); err == nil && ok {
			if err := del(c); err != nil {
				return n, err
			}
		}
	}
	prefix := ""
	if c != "" {
		prefix = c + "/"
	}
	for key, err := range p.bucket.List(p.ctx, prefix) {
		if err == nil {
			err = del(key)
		}
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func (p *persister) sync(op, path string) error {
	if err := p.bucket.Sync(); err != nil {
		return p.fail(op, path, err)
	}
	return nil
}

func (p *persister) fail(op, path string, err error) error {
	return fmt.Errorf("%s %s: changed in the workspace but not persisted to %s: %w", op, display(path), p.bucket, err)
}

func display(c string) string {
	if c == "" {
		return "."
	}
	return c
}
