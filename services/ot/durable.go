package ot

import (
	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/internal/otlog"
)

// oplog is a linked buffer's op log (see package otlog): while the buffer
// holds edits its file does not, every version is logged before it is
// broadcast and acknowledged.
type oplog struct {
	log *otlog.Log // nil when the buffer is not linked or no log is configured
	// live is set once a base was begun since the buffer last matched its
	// file: only then are there edits to log.
	live bool
	// off is set when a write failed; the log is tried again after the
	// next flush.
	off bool
}

// startLog opens the log of a buffer just linked; its writer runs on a
// goroutine the channel owns.
func (s *service) startLog() {
	if s.cfg.Log == nil {
		return
	}
	s.oplog.log = s.cfg.Log.Create(s.link.path, func(seq uint64, err error) {
		s.ch.Post(func() { s.logWritten(seq, err) })
	})
	s.ch.Go(s.oplog.log.Run)
}

// logging reports whether versions are being logged now.
func (s *service) logging() bool {
	return s.oplog.log != nil && s.oplog.live && !s.oplog.off
}

// prepareLog runs before a version is committed. It begins the log over
// from the buffer as it is when there are no unflushed edits logged yet,
// or when the entries have outgrown the bound (Limits.LogBytes): the new
// base holds the file's text and the buffer's, and replaces the old log
// whole.
func (s *service) prepareLog() {
	o := &s.oplog
	if o.log == nil || o.off {
		return
	}
	if o.live && o.log.EntryBytes() <= max(s.cfg.Limits.LogBytes, o.log.BaseBytes()) {
		return
	}
	text := s.buf.doc.AppendTo(make([]byte, 0, s.buf.doc.Bytes()))
	s.out.waitFor(o.log.Begin(s.buf.version, s.link.disk, text))
	o.live = true
}

// logCommit logs a committed version; what is sent from now on waits for
// it to be durable. disk is set for a version that merged a change of the
// file on disk.
func (s *service) logCommit(p *packet, disk *otlog.DiskChange) {
	if !s.logging() {
		return
	}
	s.out.waitFor(s.oplog.log.Append(otlog.Entry{Version: p.version, Op: p.op, CRC: p.crc, Disk: disk}))
	if len(s.out.queue) >= maxHeld {
		// Clients commit faster than the disk takes their ops: wait for
		// it here, so that what is held stays bounded and the senders
		// are slowed down at their own connections.
		s.syncLog()
	}
}

// maxHeld bounds the commands held for the op log before the actor waits
// for it.
const maxHeld = 4096

// logWritten runs on the actor after a write of the log: what waited for
// it goes out. A write that failed makes the buffer flush to its file
// instead (so what was acknowledged is durable), and everyone is told that
// edits are not safe from a crash until the next flush.
func (s *service) logWritten(seq uint64, err error) {
	if err == nil {
		s.out.release(seq)
		return
	}
	if s.oplog.off || seq <= s.out.durable {
		return // dealt with already, or made moot by a flush
	}
	s.oplog.off, s.oplog.live = true, false
	s.ch.Logger().Error("ot: cannot write the op log; flushing the buffer to its file instead", "path", s.link.path, "err", err)
	msg := "ot: cannot write the op log (" + err.Error() + "), so the buffer was flushed to " + s.link.path +
		"; edits made before the next flush are not safe from a crash of pid1"
	s.syncDisk() // a change on disk not yet merged must not be overwritten
	if ferr := s.link.write(s.buf); ferr != nil {
		s.ch.Logger().Error("ot: flushing the buffer did not work either", "path", s.link.path, "err", ferr)
		msg = "ot: cannot write the op log (" + err.Error() + ") nor flush the buffer (" + ferr.Error() +
			"); edits are not safe from a crash of pid1"
	} else {
		s.dropLog()
		s.oplog.log.Sync() // the removal, now: see syncLog
		services.Broadcast(s.ch, &api.Command{Body: &api.Command_OtFlushNotification{
			OtFlushNotification: &api.OTFlushNotification{DiskVersion: s.buf.version}}})
	}
	s.out.releaseAll()
	services.Broadcast(s.ch, services.ErrorCommand(msg))
}

// syncLog makes every logged version durable before the file is written,
// so that if pid1 dies between writing the file and removing the log, the
// log's last text is the file's, which recovery recognises as nothing to
// do. A failure is reported through logWritten.
func (s *service) syncLog() {
	if s.logging() && s.oplog.log.Sync() == nil {
		s.out.release(s.out.need)
	}
}

// flushed is told that the file now holds the buffer's text: the log is
// removed, and nothing need wait for it any more.
func (s *service) flushed() {
	s.dropLog()
	s.oplog.off = false
	s.out.releaseAll()
}

func (s *service) dropLog() {
	if s.oplog.log != nil {
		s.oplog.log.Drop()
	}
	s.oplog.live = false
}
