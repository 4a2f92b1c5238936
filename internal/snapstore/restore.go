package snapstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"runtime"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/pid1/pid1/internal/fsroot"
	"github.com/pid1/pid1/internal/storage"
)

// ErrNone is returned by Latest and Restore when this workspace has no
// snapshot.
var ErrNone = errors.New("snapshot: this workspace has no snapshot")

// Latest reads this workspace's current manifest.
func (s *Store) Latest(ctx context.Context) (string, *Manifest, error) {
	raw, err := s.bucket.ReadAll(ctx, s.latestKey())
	if errors.Is(err, storage.ErrNotFound) {
		return "", nil, ErrNone
	}
	if err != nil {
		return "", nil, fmt.Errorf("snapshot: reading the latest: %w", err)
	}
	name := string(raw)
	if rest, ok := strings.CutPrefix(name, s.prefix()+"manifests/"); !ok || rest == "" || strings.Contains(rest, "/") {
		return "", nil, fmt.Errorf("snapshot: %s names %q, not a manifest of this workspace", s.latestKey(), name)
	}
	body, err := s.bucket.ReadAll(ctx, name)
	if err != nil {
		return "", nil, fmt.Errorf("snapshot: reading %s: %w", name, err)
	}
	m, err := decodeManifest(body, s.id)
	if err != nil {
		return "", nil, fmt.Errorf("snapshot %s: %w", name, err)
	}
	return name, m, nil
}

// Restored describes a restore.
type Restored struct {
	Manifest        string // its name
	Files           int
	Reused          int // files whose content the workspace already had
	Downloaded      int
	DownloadedBytes int64
}

// Restore makes the workspace equal to this workspace's latest snapshot,
// removing what the snapshot does not hold. It is transactional: the whole
// manifest is checked first (see validate); then the snapshot's tree is
// built in a stage inside the workspace (a file whose content the
// workspace already has, with the same mode, is hard-linked from it; the
// rest is downloaded, each blob checked against its hash); only when all
// of it is in place and durable is it swapped in for the workspace's
// contents (fsroot.Stage.Commit). Any failure before the swap leaves the
// workspace as it was. Restore is for start-up, before clients connect.
func (s *Store) Restore(ctx context.Context) (Restored, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var res Restored
	name, m, err := s.Latest(ctx)
	if err != nil {
		return res, err
	}
	res.Manifest = name
	st, err := s.ws.NewStage()
	if err != nil {
		return res, fmt.Errorf("snapshot: %w", err)
	}
	defer st.Abort()
	entries := slices.Clone(m.Entries)
	slices.SortFunc(entries, func(a, b Entry) int { return strings.Compare(a.Path, b.Path) }) // parents first
	for _, e := range entries {
		if e.Kind == "dir" {
			if err := st.Mkdir(e.Path); err != nil {
				return res, fmt.Errorf("snapshot: restoring %s: %w", e.Path, err)
			}
		}
	}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(4, 2*runtime.GOMAXPROCS(0)))
	for _, e := range entries {
		switch e.Kind {
		case "link":
			g.Go(func() error {
				if err := st.Symlink(e.Target, e.Path); err != nil {
					return fmt.Errorf("snapshot: restoring %s: %w", e.Path, err)
				}
				return nil
			})
		case "file":
			g.Go(func() error {
				reused, n, err := s.stageFile(gctx, st, e)
				if err != nil {
					return fmt.Errorf("snapshot: restoring %s: %w", e.Path, err)
				}
				mu.Lock()
				defer mu.Unlock()
				res.Files++
				if reused {
					res.Reused++
				} else {
					res.Downloaded++
					res.DownloadedBytes += n
				}
				return nil
			})
		}
	}
	if err := g.Wait(); err != nil {
		return res, err
	}
	for i := len(entries) - 1; i >= 0; i-- { // children before parents
		if e := entries[i]; e.Kind == "dir" {
			if err := st.ChmodDir(e.Path, fs.FileMode(e.Mode)); err != nil {
				return res, fmt.Errorf("snapshot: restoring %s: %w", e.Path, err)
			}
		}
	}
	if err := st.Commit(); err != nil {
		return res, fmt.Errorf("snapshot: %w", err)
	}
	for _, e := range entries {
		if e.Kind == "file" {
			s.markKnown(e.Hash)
		}
	}
	return res, nil
}

// stageFile puts the file e in the stage: a hard link to the workspace's
// file at the same path if that has e's content and mode, else the stored
// blob, checked against e's hash as it is written. It returns whether the
// workspace's file was reused and how many bytes were downloaded.
func (s *Store) stageFile(ctx context.Context, st *fsroot.Stage, e Entry) (reused bool, n int64, err error) {
	if st.Link(e.Path) == nil {
		if stagedMatches(st, e) {
			return true, 0, nil
		}
		if err := st.Remove(e.Path); err != nil {
			return false, 0, err
		}
	}
	r, err := s.bucket.NewReader(ctx, blobKey(e.Hash))
	if err != nil {
		return false, 0, fmt.Errorf("reading its content %s: %w", e.Hash, err)
	}
	defer r.Close()
	f, err := st.Create(e.Path)
	if err != nil {
		return false, 0, err
	}
	h := sha256.New()
	buf := copyBuffers.Get().(*[]byte)
	// Through a plain Reader: the blob reader's WriteTo allocates a buffer
	// per blob, which costs more than the copy for small files.
	n, err = io.CopyBuffer(io.MultiWriter(f, h), struct{ io.Reader }{r}, *buf)
	copyBuffers.Put(buf)
	if err == nil && hex.EncodeToString(h.Sum(nil)) != e.Hash {
		err = fmt.Errorf("stored content does not match its hash %s", e.Hash)
	}
	if err == nil {
		err = f.Chmod(fs.FileMode(e.Mode))
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return false, n, err
}

// copyBuffers are the buffers stageFile copies blobs through.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 128<<10); return &b }}

// stagedMatches reports whether the stage's file at e.Path (a link to the
// workspace's) has e's mode, size and content.
func stagedMatches(st *fsroot.Stage, e Entry) bool {
	f, err := st.Open(e.Path)
	if err != nil {
		return false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.Mode() != fs.FileMode(e.Mode) || fi.Size() != e.Size {
		return false
	}
	h := sha256.New()
	buf := copyBuffers.Get().(*[]byte)
	_, err = io.CopyBuffer(h, struct{ io.Reader }{f}, *buf)
	copyBuffers.Put(buf)
	return err == nil && hex.EncodeToString(h.Sum(nil)) == e.Hash
}
