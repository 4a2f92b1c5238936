package snapstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pid1/pid1/internal/fsroot"
	"gocloud.dev/gcerrors"
)

// ErrNone is returned by Latest and Restore when no snapshot was taken.
var ErrNone = errors.New("snapshot: no snapshot has been taken")

// Latest reads the current manifest.
func (s *Store) Latest(ctx context.Context) (string, *Manifest, error) {
	name, err := s.bucket.ReadAll(ctx, "latest")
	if gcerrors.Code(err) == gcerrors.NotFound {
		return "", nil, ErrNone
	}
	if err != nil {
		return "", nil, fmt.Errorf("snapshot: reading the latest: %w", err)
	}
	body, err := s.bucket.ReadAll(ctx, string(name))
	if err != nil {
		return "", nil, fmt.Errorf("snapshot: reading %s: %w", name, err)
	}
	m, err := decodeManifest(body)
	if err != nil {
		return "", nil, fmt.Errorf("snapshot %s: %w", name, err)
	}
	return string(name), m, nil
}

// Restore makes the workspace ws equal to the latest snapshot: files and
// directories are created or replaced (a file whose content already
// matches is left alone) and everything the snapshot does not hold is
// removed. It returns the manifest's name.
func (s *Store) Restore(ctx context.Context, ws *fsroot.Dir) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name, m, err := s.Latest(ctx)
	if err != nil {
		return "", err
	}
	want := make(map[string]bool, len(m.Entries))
	for _, e := range m.Entries {
		want[e.Path] = true
	}
	if err := s.prune(ws, want); err != nil {
		return "", err
	}
	sort.Slice(m.Entries, func(i, j int) bool { return m.Entries[i].Path < m.Entries[j].Path }) // parents first
	for _, e := range m.Entries {
		if err := s.restoreEntry(ctx, ws, e); err != nil {
			return "", fmt.Errorf("snapshot: restoring %s: %w", e.Path, err)
		}
		if e.Kind == "file" {
			s.markKnown(e.Hash)
		}
	}
	return name, nil
}

func (s *Store) restoreEntry(ctx context.Context, ws *fsroot.Dir, e Entry) error {
	cur, err := ws.Lstat(e.Path)
	exists := err == nil
	switch e.Kind {
	case "dir":
		if exists && !cur.Dir {
			if err := ws.TryRemove(e.Path); err != nil {
				return err
			}
		}
		if err := ws.Mkdir(e.Path); err != nil {
			return err
		}
		return ws.Chmod(e.Path, fs.FileMode(e.Mode))
	case "link":
		if exists {
			if err := ws.TryRemove(e.Path); err != nil {
				return err
			}
		}
		return ws.Symlink(e.Target, e.Path)
	}
	if exists && cur.Mode.IsRegular() && cur.Size == e.Size && s.hashOf(ws, e.Path) == e.Hash {
		return ws.Chmod(e.Path, fs.FileMode(e.Mode))
	}
	if exists && (cur.Dir || cur.Mode&fs.ModeSymlink != 0) {
		if err := ws.TryRemove(e.Path); err != nil {
			return err
		}
	}
	data, err := s.bucket.ReadAll(ctx, blobKey(e.Hash))
	if err != nil {
		return err
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != e.Hash {
		return fmt.Errorf("stored content does not match its hash %s", e.Hash)
	}
	w, err := ws.Create(e.Path)
	if err != nil {
		return err
	}
	w.SetMode(fs.FileMode(e.Mode))
	if _, err := w.Write(data); err != nil {
		w.Abort()
		return err
	}
	return w.Commit()
}

func (s *Store) hashOf(ws *fsroot.Dir, p string) string {
	b, err := ws.Read(p)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// prune removes what the snapshot does not hold, deepest paths first.
func (s *Store) prune(ws *fsroot.Dir, want map[string]bool) error {
	var extra []string
	err := filepath.WalkDir(s.dir, func(abs string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(s.dir, abs)
		if rel == "." {
			return nil
		}
		rel = filepath.ToSlash(rel)
		if !want[rel] {
			extra = append(extra, rel)
			if d.IsDir() {
				return filepath.SkipDir
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("snapshot: reading the workspace: %w", err)
	}
	sort.Slice(extra, func(i, j int) bool { return strings.Count(extra[i], "/") > strings.Count(extra[j], "/") })
	for _, p := range extra {
		if err := ws.TryRemove(p); err != nil {
			return fmt.Errorf("snapshot: removing %s: %w", p, err)
		}
	}
	return nil
}
