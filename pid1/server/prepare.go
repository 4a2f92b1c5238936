package server

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/pid1/pid1/internal/fsroot"
	"github.com/pid1/pid1/internal/snapstore"
)

// prepareDirs resolves the workspace and the state directory through
// symbolic links, refuses them nested in each other, and creates both (the
// state directory private: see prepareStateDir). It returns their
// resolved paths.
func prepareDirs(o Options) (ws, state string, err error) {
	if ws, err = resolvePath(o.Workspace); err != nil {
		return "", "", fmt.Errorf("workspace: %w", err)
	}
	if state, err = resolvePath(o.StateDir); err != nil {
		return "", "", fmt.Errorf("state directory: %w", err)
	}
	if err := checkApart(state, ws, o.StateDir); err != nil {
		return "", "", err
	}
	if err := os.MkdirAll(ws, 0o755); err != nil {
		return "", "", fmt.Errorf("creating the workspace: %w", err)
	}
	if state, err = prepareStateDir(state, ws, o.StateDir, o.Logger); err != nil {
		return "", "", err
	}
	return ws, state, nil
}

// prepareWorkspace puts the workspace in order before anything serves it:
// an interrupted restore is finished or undone and the temporary files of
// interrupted writes are removed; then the snapshot store is opened under
// the workspace's id and, with Restore, the latest snapshot restored.
func (s *Server) prepareWorkspace(o Options) error {
	c, err := s.dir.RemoveStale(context.Background())
	if err != nil {
		return fmt.Errorf("cleaning the workspace: %w", err)
	}
	if c != (fsroot.Cleanup{}) {
		s.log.Info("cleaned up after an interrupted run", "temporary_files_removed", c.Removed, "bytes", c.Bytes,
			"restores_finished", c.Finished, "restores_undone", c.RolledBack)
	}
	id := o.WorkspaceID
	if id == "" {
		id = defaultWorkspaceID(s.workspace)
		if !strings.HasPrefix(o.Storage, "file:") && o.Storage != "" {
			s.log.Warn("snapshots go to shared storage under an id derived from the workspace's path; workspaces at the same path (containers of one image) would share them: give each its own -workspace-id",
				"workspace_id", id)
		}
	}
	s.workspaceID = id
	if s.snapshots, err = snapstore.New(s.bucket.Prefixed("snapshots/"), s.dir, id); err != nil {
		return err
	}
	s.log.Info("snapshots", "workspace_id", id, "storage", s.bucket.String(), "restore_at_start", o.Restore)
	if !o.Restore {
		return nil
	}
	return s.restore()
}

// restoreTimeout bounds a restore at start.
const restoreTimeout = 30 * time.Minute
