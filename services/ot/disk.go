package ot

import (
	"bytes"
	"errors"
	"hash/crc32"
	"io/fs"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/internal/fswatch"
	"github.com/pid1/pid1/internal/otlog"
	"github.com/pid1/pid1/internal/textot"
)

// retryNotText is how long a linked file that is not UTF-8 text gets to
// become text again before everyone is told.
const retryNotText = 100 * time.Millisecond

// watch subscribes to changes of the linked file. Without a watcher the
// buffer only learns of the disk when it flushes.
func (s *service) watch() {
	if s.cfg.Watcher == nil {
		return
	}
	path := s.link.path
	sub := s.cfg.Watcher.Subscribe(func(evs []fswatch.Event, err error) {
		touched := err != nil // an overflow may have hidden our file's events
		for _, e := range evs {
			touched = touched || e.Path == path || (e.Op == api.FileEvent_Move && e.Dest == path)
		}
		if touched {
			s.ch.Post(s.syncDisk)
		}
	})
	if err := sub.Add([]string{path}); err != nil {
		sub.Close()
		s.ch.Logger().Warn("ot: cannot watch the linked file; changes on disk will not reach the buffer", "path", path, "err", err)
		return
	}
	s.link.sub = sub
}

// syncDisk turns a change of the linked file on disk into an op from user
// 0. The change is the diff from the text pid1 last knew on disk to the
// new text; it is transformed past the buffer's unflushed edits (the diff
// from that same text to the buffer), so both survive, and broadcast like
// any op. A file that disappeared or stopped being text changes nothing:
// the buffer keeps its text and the next flush writes it back.
func (s *service) syncDisk() {
	if s.link.path == "" {
		return
	}
	now, err := s.readText(s.link.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return
	case errors.Is(err, errNotText) && !s.link.retried:
		// Perhaps read halfway through a write that cut a character in
		// two; the write's own event follows, or this retry does.
		s.link.retried = true
		time.AfterFunc(retryNotText, func() { s.ch.Post(s.syncDisk) })
		return
	case err != nil:
		s.link.retried = false
		services.Broadcast(s.ch, services.ErrorCommand("the linked file changed on disk but cannot be loaded: "+err.Error()+"; the buffer keeps its text"))
		return
	}
	s.link.retried = false
	if bytes.Equal(now, s.link.disk) {
		return // our own flush, or a write of the same text
	}
	before := string(s.link.disk)
	change := textot.Diff(before, string(now))
	unflushed := textot.Diff(before, s.buf.doc.String())
	op, err := textot.Transform(change, unflushed, textot.Right)
	if err == nil {
		// With no unflushed edits logged, the buffer matched the file
		// and now matches it again: nothing to log.
		logged := s.logging()
		if logged {
			s.prepareLog()
		}
		var p *packet
		if p, err = s.buf.commit(s.buf.version, op, 0, api.OTPacket_USER, 0); err == nil {
			if logged {
				s.logCommit(p, &otlog.DiskChange{Op: change, CRC: crc32.ChecksumIEEE(now)})
			}
			err = s.publish(p)
		}
	}
	if err != nil {
		s.ch.Logger().Error("ot: cannot merge the change on disk", "path", s.link.path, "err", err)
		services.Broadcast(s.ch, services.ErrorCommand("the linked file changed on disk but the change cannot be merged: "+err.Error()))
		return
	}
	s.link.disk = now
}
