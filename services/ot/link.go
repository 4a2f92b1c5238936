package ot

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/internal/fsroot"
	"github.com/pid1/pid1/internal/fswatch"
	"github.com/pid1/pid1/internal/textot"
)

// link ties a buffer to a file in the workspace.
type link struct {
	dir  *fsroot.Dir
	path string // clean workspace path; "" when not linked
	// disk is the file's text as pid1 last read or wrote it. A change on
	// disk is diffed against it, and the buffer's unflushed edits are what
	// separates it from the buffer.
	disk []byte
	sub  *fswatch.Subscription
	// retried is set while a read that found no text waits for a retry.
	retried bool
}

// linkFile loads the file into a fresh buffer as version 1 (one insert of
// its text, broadcast like any op) and replies with otLinkFileResponse.
func (s *service) linkFile(se services.Session, cmd *api.Command, l *api.OTLinkFile) error {
	p := l.GetFile().GetPath()
	switch {
	case p == "":
		return errors.New(`otLinkFile needs a file, e.g. { otLinkFile: { file: { path: "main.py" } } }`)
	case s.link.path != "":
		return fmt.Errorf("otLinkFile: this buffer is already linked to %s; open another channel for another file", s.link.path)
	case s.buf.version != 0:
		return fmt.Errorf("otLinkFile: this buffer already has %d versions of its own; link a file before sending any op", s.buf.version)
	}
	c, err := fsroot.Clean(p)
	if err != nil {
		return err
	}
	if c == "" {
		return errors.New("otLinkFile: the workspace root is a directory, not a file")
	}
	text, err := s.readText(c)
	if err != nil {
		return err
	}
	op := textot.Op{}
	if len(text) > 0 {
		op = textot.Op{textot.Insert(string(text))}
	}
	committed, err := s.buf.commit(0, op, 0, api.OTPacket_USER, 0)
	if err != nil {
		return err
	}
	s.link.dir, s.link.path, s.link.disk = s.cfg.Dir, c, text
	s.watch()
	s.startLog()
	if err := s.publish(committed); err != nil {
		return err
	}
	services.Reply(s.ch, se, cmd, &api.Command{Body: &api.Command_OtLinkFileResponse{OtLinkFileResponse: &api.OTLinkFileResponse{
		Version:    committed.version,
		LinkedFile: &api.File{Path: c, Content: text},
	}}})
	return nil
}

var errNotText = errors.New("is not UTF-8 text; ot edits text")

// readText reads the file at c, which must be UTF-8 text within the size
// limit.
func (s *service) readText(c string) ([]byte, error) {
	b, err := s.cfg.Dir.Read(c)
	if err != nil {
		return nil, err
	}
	if len(b) > s.buf.maxDoc {
		return nil, fmt.Errorf("%s is %s, over the %s a buffer may hold", c, fsroot.Size(int64(len(b))), fsroot.Size(int64(s.buf.maxDoc)))
	}
	if !utf8.Valid(b) {
		return nil, fmt.Errorf("%s %w", c, errNotText)
	}
	return b, nil
}

// flush writes the buffer to the linked file, replies ok and tells every
// session which version is on disk.
func (s *service) flush(se services.Session, cmd *api.Command, f *api.Flush) error {
	if s.link.path == "" {
		return errors.New(`flush: this buffer is not linked to a file; link one first with { otLinkFile: { file: { path: "main.py" } } }`)
	}
	// History lives in memory for as long as the channel does; only the
	// disk has something to make durable.
	if f.GetConsistency() != api.Flush_History {
		s.syncLog()
		if err := s.link.write(s.buf); err != nil {
			return err
		}
		s.flushed()
	}
	services.Reply(s.ch, se, cmd, services.OK())
	services.Broadcast(s.ch, &api.Command{Body: &api.Command_OtFlushNotification{
		OtFlushNotification: &api.OTFlushNotification{DiskVersion: s.buf.version}}})
	return nil
}

// write replaces the file with the buffer's text, atomically and durably.
func (l *link) write(b *buffer) error {
	return l.writeText(b.doc.AppendTo(make([]byte, 0, b.doc.Bytes())))
}

func (l *link) writeText(text []byte) error {
	if err := l.dir.Write(l.path, text); err != nil {
		return fmt.Errorf("flush: %w", err)
	}
	l.disk = text
	return nil
}

// flushIfChanged writes the buffer if it differs from what is on disk.
func (l *link) flushIfChanged(b *buffer) error {
	if l.path == "" {
		return nil
	}
	text := b.doc.AppendTo(make([]byte, 0, b.doc.Bytes()))
	if bytes.Equal(text, l.disk) {
		return nil
	}
	return l.writeText(text)
}

func (l *link) close() {
	if l.sub != nil {
		l.sub.Close()
		l.sub = nil
	}
}
