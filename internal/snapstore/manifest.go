package snapstore

import (
	"encoding/json"
	"fmt"
	"time"
)

// Manifest is one snapshot: every path of the workspace.
type Manifest struct {
	Version   int       `json:"version"`
	Workspace string    `json:"workspace"` // the id of the workspace it was taken of
	Created   time.Time `json:"created"`
	Entries   []Entry   `json:"entries"`
}

// Entry is one path in a manifest.
type Entry struct {
	Path string `json:"path"`
	// PathBytes holds a path that is not valid UTF-8 (JSON cannot), in
	// which case Path is empty.
	PathBytes []byte `json:"pathBytes,omitempty"`
	Kind      string `json:"kind"` // "file", "dir" or "link"
	Mode      uint32 `json:"mode"` // permission bits
	Size      int64  `json:"size,omitempty"`
	Hash      string `json:"sha256,omitempty"`
	Target    string `json:"target,omitempty"` // for a link
}

const manifestVersion = 1

// decodeManifest parses a manifest and checks it (see validate): it comes
// from storage, so it is not trusted to name paths inside the workspace.
func decodeManifest(b []byte, id string) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	if m.Version != manifestVersion {
		return nil, fmt.Errorf("manifest: version %d, this pid1 reads version %d", m.Version, manifestVersion)
	}
	if m.Workspace != id {
		return nil, fmt.Errorf("manifest: taken of workspace %q, not of this one (%q)", m.Workspace, id)
	}
	for i := range m.Entries {
		if e := &m.Entries[i]; len(e.PathBytes) > 0 {
			e.Path, e.PathBytes = string(e.PathBytes), nil
		}
	}
	if err := validate(m.Entries); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	return &m, nil
}
