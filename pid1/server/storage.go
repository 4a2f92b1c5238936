package server

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"time"

	"github.com/pid1/pid1/internal/fsroot"
	"github.com/pid1/pid1/internal/snapstore"
	"github.com/pid1/pid1/internal/storage"
)

// openStorage opens the bucket gcsfiles and snapshot share; the default is
// a file:// bucket in the state directory.
func openStorage(rawURL, stateDir, ws string) (*storage.Bucket, error) {
	if rawURL == "" {
		rawURL = "file://" + filepath.Join(stateDir, "storage")
	}
	if u, err := url.Parse(rawURL); err == nil && u.Scheme == "file" {
		if p, err := resolvePath(u.Path); err == nil && within(p, ws) {
			return nil, fmt.Errorf("storage %s is inside the workspace %s: snapshots would contain themselves", rawURL, ws)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := storage.Open(ctx, rawURL)
	if err != nil {
		return nil, fmt.Errorf("opening the storage: %w", err)
	}
	return b, nil
}

// restore makes the workspace equal to its latest snapshot; a failed
// restore leaves the workspace as it was.
func (s *Server) restore() error {
	ctx, cancel := context.WithTimeout(context.Background(), restoreTimeout)
	defer cancel()
	start := time.Now()
	r, err := s.snapshots.Restore(ctx)
	switch {
	case errors.Is(err, snapstore.ErrNone):
		s.log.Info("this workspace has no snapshot to restore; starting with the workspace as it is")
		return nil
	case errors.Is(err, fsroot.ErrSwapIncomplete):
		return fmt.Errorf("restoring the latest snapshot: %w", err)
	case err != nil:
		return fmt.Errorf("restoring the latest snapshot (the workspace was left as it was): %w", err)
	}
	s.log.Info("restored the latest snapshot", "manifest", r.Manifest, "files", r.Files, "reused", r.Reused,
		"downloaded", r.Downloaded, "downloaded_bytes", r.DownloadedBytes, "took", time.Since(start).Round(time.Millisecond))
	return nil
}
