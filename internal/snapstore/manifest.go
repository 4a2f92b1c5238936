package snapstore

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/pid1/pid1/internal/fsroot"
)

// Manifest is one snapshot: every path of the workspace.
type Manifest struct {
	Version int       `json:"version"`
	Created time.Time `json:"created"`
	Entries []Entry   `json:"entries"`
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

// decodeManifest parses and checks a manifest: it comes from storage, so
// it is not trusted to name paths inside the workspace.
func decodeManifest(b []byte) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	if m.Version != manifestVersion {
		return nil, fmt.Errorf("manifest: version %d, this pid1 reads version %d", m.Version, manifestVersion)
	}
	for i := range m.Entries {
		if e := &m.Entries[i]; len(e.PathBytes) > 0 {
			e.Path, e.PathBytes = string(e.PathBytes), nil
		}
	}
	for _, e := range m.Entries {
		c, err := fsroot.Clean(e.Path)
		if err != nil || c != e.Path || c == "" {
			return nil, fmt.Errorf("manifest: bad path %q", e.Path)
		}
		switch {
		case e.Kind == "file" && len(e.Hash) != 64:
			return nil, fmt.Errorf("manifest: %s has no content hash", e.Path)
		case e.Kind != "file" && e.Kind != "dir" && e.Kind != "link":
			return nil, fmt.Errorf("manifest: %s has unknown kind %q", e.Path, e.Kind)
		}
	}
	return &m, nil
}
