package ot

import (
	"context"
	"errors"
	"fmt"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/internal/fsroot"
	"github.com/pid1/pid1/internal/fswatch"
	"github.com/pid1/pid1/internal/otlog"
)

// Config is what every ot channel shares.
type Config struct {
	Dir     *fsroot.Dir      // the workspace, for linked files
	Watcher *fswatch.Watcher // reports changes to linked files on disk
	// Log keeps linked buffers' unflushed edits safe from a crash: each
	// version is logged before it is broadcast and acknowledged. Nil
	// turns that off.
	Log    *otlog.Store
	Limits Limits
}

// Descriptor registers the service as "ot".
func Descriptor(cfg Config) services.Descriptor {
	return services.Descriptor{Name: "ot", Writes: services.BodySet("ot", "otLinkFile", "flush"), New: func(ch services.Channel) (services.Service, error) {
		if cfg.Dir == nil {
			return nil, errors.New("ot: no workspace configured")
		}
		return newService(ch, cfg), nil
	}}
}

// service is one buffer bound to one channel. Every method runs on the
// channel's actor, so the state needs no lock.
type service struct {
	ch      services.Channel // out: everything sent goes through it
	out     *held
	cfg     Config
	buf     *buffer
	link    link
	oplog   oplog
	cursors cursors
}

func newService(ch services.Channel, cfg Config) *service {
	cfg.Limits = cfg.Limits.withDefaults()
	out := &held{Channel: ch}
	return &service{ch: out, out: out, cfg: cfg, buf: newBuffer(cfg.Limits), cursors: newCursors(cfg.Limits.CursorsPerSession)}
}

// Ops lists the commands the service understands, for error messages.
const Ops = "ot, otLinkFile, otFetchRequest, flush, otNewCursor, otDeleteCursor and otTransformSelectionRequest"

func (s *service) Attach(se services.Session) {
	s.out.joined(se.ID)
	st := &api.OTStatus{
		Contents: s.buf.doc.String(),
		Version:  s.buf.version,
		Cursors:  s.cursors.list(),
	}
	if s.link.path != "" {
		st.LinkedFile = &api.File{Path: s.link.path}
	}
	services.To(s.ch, se.ID, &api.Command{Body: &api.Command_Otstatus{Otstatus: st}})
}

func (s *service) Detach(se services.Session) {
	for _, c := range s.cursors.dropSession(se.ID) {
		services.Others(s.ch, se.ID, &api.Command{Body: &api.Command_OtDeleteCursor{OtDeleteCursor: c}})
	}
}

// Drain writes out unflushed changes of a linked buffer when pid1 begins
// to stop, before any channel closes.
func (s *service) Drain(context.Context) { s.flushPending("drain") }

// Close flushes unflushed changes of a linked buffer, so that closing the
// channel or shutting pid1 down loses no edit. If that fails, the op log
// is written out whole and kept, for the next start to recover.
func (s *service) Close() {
	s.flushPending("close")
	if s.oplog.log != nil {
		if err := s.oplog.log.Close(); err != nil {
			s.ch.Logger().Error("ot: cannot write the op log", "path", s.link.path, "err", err)
		}
	}
	s.out.releaseAll()
	s.link.close()
}

func (s *service) flushPending(when string) {
	s.syncDisk() // a change on disk not yet reported must not be overwritten
	s.syncLog()
	if err := s.link.flushIfChanged(s.buf); err != nil {
		s.ch.Logger().Error("ot: flush failed", "when", when, "path", s.link.path, "err", err)
		return
	}
	s.flushed()
}

func (s *service) Command(se services.Session, cmd *api.Command) error {
	switch b := cmd.Body.(type) {
	case *api.Command_Ot:
		return s.submit(se, cmd, b.Ot)
	case *api.Command_OtLinkFile:
		return s.linkFile(se, cmd, b.OtLinkFile)
	case *api.Command_Flush:
		return s.flush(se, cmd, b.Flush)
	case *api.Command_OtFetchRequest:
		return s.fetch(se, cmd, b.OtFetchRequest)
	case *api.Command_OtNewCursor:
		return s.newCursor(se, cmd, b.OtNewCursor)
	case *api.Command_OtDeleteCursor:
		return s.deleteCursor(se, cmd, b.OtDeleteCursor)
	case *api.Command_OtTransformSelectionRequest:
		return s.transformSelection(se, cmd, b.OtTransformSelectionRequest)
	}
	return fmt.Errorf("ot takes %s, not %s", Ops, services.BodyName(cmd))
}

func (s *service) fetch(se services.Session, cmd *api.Command, r *api.OTFetchRequest) error {
	packets, err := s.buf.fetch(r.GetVersionFrom(), s.buf.orNow(r.GetVersionTo()))
	if err != nil {
		return err
	}
	services.Reply(s.ch, se, cmd, &api.Command{Body: &api.Command_OtFetchResponse{
		OtFetchResponse: &api.OTFetchResponse{Packets: packets}}})
	return nil
}

func (s *service) transformSelection(se services.Session, cmd *api.Command, r *api.OTTransformSelectionRequest) error {
	to := s.buf.orNow(r.GetVersionTo())
	start, end := int(r.GetIndexStart()), int(r.GetIndexEnd())
	if err := s.buf.transformRange("otTransformSelectionRequest", r.GetVersionFrom(), to, &start, &end); err != nil {
		return err
	}
	services.Reply(s.ch, se, cmd, &api.Command{Body: &api.Command_OtTransformSelectionResponse{
		OtTransformSelectionResponse: &api.OTTransformSelectionResponse{
			IndexStart: uint32(start), IndexEnd: uint32(end), Version: to}}})
	return nil
}
