package packager

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"github.com/pid1/pid1/internal/fsroot"
)

// Saved is the content of some workspace files at one moment, to put
// back if an operation fails or is cancelled.
type Saved struct {
	dir   *fsroot.Dir
	files map[string][]byte // nil: the file did not exist
}

// Save reads names (workspace paths; missing ones are recorded as
// missing).
func Save(dir *fsroot.Dir, names []string) (*Saved, error) {
	s := &Saved{dir: dir, files: make(map[string][]byte, len(names))}
	for _, n := range names {
		b, err := dir.Read(n)
		switch {
		case errors.Is(err, os.ErrNotExist):
			s.files[n] = nil
		case err != nil:
			return nil, err
		case b == nil:
			s.files[n] = []byte{}
		default:
			s.files[n] = b
		}
	}
	return s, nil
}

// Changed lists the saved files whose content differs now.
func (s *Saved) Changed() []string {
	var out []string
	for n, old := range s.files {
		b, err := s.dir.Read(n)
		switch {
		case errors.Is(err, os.ErrNotExist):
			if old != nil {
				out = append(out, n)
			}
		case err != nil || old == nil || !bytes.Equal(b, old):
			out = append(out, n)
		}
	}
	return out
}

// Restore puts every saved file that changed back as it was (each write
// atomic), and removes those that did not exist.
func (s *Saved) Restore() error {
	var errs []error
	for _, n := range s.Changed() {
		old := s.files[n]
		var err error
		if old == nil {
			err = s.dir.TryRemove(n)
		} else {
			err = s.dir.Write(n, old)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("restoring %s: %w", n, err))
		}
	}
	return errors.Join(errs...)
}
