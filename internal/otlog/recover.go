package otlog

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"unicode/utf8"

	"github.com/pid1/pid1/internal/fsroot"
	"github.com/pid1/pid1/internal/textot"
)

// recoverFile brings the file a log was kept for up to date with the
// log's edits, then removes the log, or sets it aside if it cannot be used
// or was damaged before its tail.
func (s *Store) recoverFile(name string) {
	full := filepath.Join(s.dir, name)
	b, err := os.ReadFile(full)
	if err != nil {
		s.setAside(name, "cannot be read: "+err.Error())
		return
	}
	p, err := Parse(b)
	if err != nil {
		s.setAside(name, err.Error())
		return
	}
	if p.Base.Workspace != s.workspace {
		s.setAside(name, fmt.Sprintf("it belongs to the workspace %s, not %s", p.Base.Workspace, s.workspace))
		return
	}
	path, err := fsroot.Clean(p.Base.Path)
	if err != nil || path == "" || path != p.Base.Path {
		s.setAside(name, fmt.Sprintf("its file %q is not a clean path in the workspace", p.Base.Path))
		return
	}
	disk, text, applied, damaged := p.Replay()
	done, err := s.reconcile(path, disk, text)
	log := s.log.With("path", path, "log", full, "edits", applied, "version", p.Base.Version+uint32(applied))
	if err != nil {
		s.setAside(name, fmt.Sprintf("its %d edits of %s cannot be written: %v", applied, path, err))
		return
	}
	if p.Torn > 0 {
		// A write cut short by the end of the process: its records were
		// never acknowledged.
		log = log.With("torn_tail_bytes", p.Torn)
	}
	log.Info("ot log: recovered the unflushed edits of a buffer", "result", done)
	if damaged != nil {
		s.setAside(name, fmt.Sprintf("recovered %d of its %d records; the next one is damaged: %v", applied, len(p.Entries), damaged))
		return
	}
	if err := os.Remove(full); err != nil {
		s.log.Error("ot log: cannot remove a recovered log", "log", full, "err", err)
	}
}

// reconcile makes the file at path hold the buffer's text, given the text
// pid1 last knew on disk. A file that still holds that text, or is missing,
// gets the buffer's text (what closing the buffer would have written); a
// file that changed since is merged with the buffer's unflushed edits, as a
// change on disk is while the buffer is open. It says what it did.
func (s *Store) reconcile(path string, disk, text []byte) (string, error) {
	now, err := s.files.Read(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "the file was missing: wrote the buffer's text", s.files.Write(path, text)
	case err != nil:
		return "", err
	case bytes.Equal(now, text):
		return "the file already holds every edit", nil
	case bytes.Equal(now, disk):
		return "wrote the buffer's text over the file it was loaded from", s.files.Write(path, text)
	case !utf8.Valid(now):
		return "", errors.New("the file changed since and is not UTF-8 text, so the edits cannot be merged into it")
	}
	change := textot.Diff(string(disk), string(now))
	unflushed := textot.Diff(string(disk), string(text))
	op, err := textot.Transform(change, unflushed, textot.Right)
	if err != nil {
		return "", fmt.Errorf("merging with the change on disk: %w", err)
	}
	merged, err := textot.Apply(string(text), op)
	if err != nil {
		return "", fmt.Errorf("merging with the change on disk: %w", err)
	}
	return "the file changed since: merged the change with the buffer's edits", s.files.Write(path, []byte(merged))
}
