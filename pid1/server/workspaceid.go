package server

import (
	"crypto/sha256"
	"encoding/hex"
)

// defaultWorkspaceID derives a workspace id from the workspace's resolved
// path, for when none is configured: two workspaces on one machine never
// share snapshots, and a workspace keeps its id across restarts as long as
// its path stays the same. Deployments whose workspaces share a bucket
// (and a path, as containers of one image do) set the id explicitly.
func defaultWorkspaceID(resolvedWorkspace string) string {
	sum := sha256.Sum256([]byte(resolvedWorkspace))
	return "path-" + hex.EncodeToString(sum[:12])
}
