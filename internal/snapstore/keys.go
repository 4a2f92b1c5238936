package snapstore

import (
	"fmt"
	"strings"
	"time"
)

// The bucket's layout. Blobs are shared by every workspace that stores
// snapshots in the bucket (content is stored once); manifests and the
// pointer to the latest one are per workspace id, so one workspace never
// sees another's snapshots:
//
//	blobs/<sha256[:2]>/<sha256>
//	workspaces/<id>/manifests/<unix nanoseconds>.json
//	workspaces/<id>/latest         the key of the current manifest

func blobKey(hash string) string { return "blobs/" + hash[:2] + "/" + hash }

func (s *Store) prefix() string { return "workspaces/" + s.id + "/" }

func (s *Store) latestKey() string { return s.prefix() + "latest" }

func (s *Store) manifestKey(created time.Time) string {
	return fmt.Sprintf("%smanifests/%020d.json", s.prefix(), created.UnixNano())
}

// MaxIDBytes is the longest workspace id.
const MaxIDBytes = 128

// CheckID refuses a workspace id that is not 1 to 128 letters, digits,
// '.', '_' or '-' starting with a letter or digit.
func CheckID(id string) error {
	if id == "" || len(id) > MaxIDBytes {
		return fmt.Errorf("workspace id %q: want 1 to %d characters", id, MaxIDBytes)
	}
	for i, c := range id {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || i > 0 && strings.ContainsRune("._-", c)
		if !ok {
			return fmt.Errorf("workspace id %q: only letters, digits, '.', '_' and '-' (not first) are allowed", id)
		}
	}
	return nil
}
