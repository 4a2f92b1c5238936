package ot

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/internal/textot"
)

// cursors are the buffer's cursors by id, each owned by the session that
// made it.
type cursors struct {
	byID       map[string]*cursor
	perSession int
}

type cursor struct {
	session int32
	pb      *api.OTCursor
}

func newCursors(perSession int) cursors {
	return cursors{byID: map[string]*cursor{}, perSession: perSession}
}

// list is every cursor, ordered by id so that otstatus is stable.
func (cs *cursors) list() []*api.OTCursor {
	out := make([]*api.OTCursor, 0, len(cs.byID))
	for _, c := range cs.byID {
		out = append(out, proto.CloneOf(c.pb))
	}
	slices.SortFunc(out, func(a, b *api.OTCursor) int { return strings.Compare(a.GetId(), b.GetId()) })
	return out
}

// transform moves every cursor across a committed op.
func (cs *cursors) transform(op textot.Op) {
	for _, c := range cs.byID {
		c.pb.Position = uint32(textot.TransformPosition(int(c.pb.Position), op))
		c.pb.SelectionStart = uint32(textot.TransformPosition(int(c.pb.SelectionStart), op))
		c.pb.SelectionEnd = uint32(textot.TransformPosition(int(c.pb.SelectionEnd), op))
	}
}

// dropSession removes the cursors of session id and returns them.
func (cs *cursors) dropSession(id int32) []*api.OTCursor {
	var out []*api.OTCursor
	for k, c := range cs.byID {
		if c.session == id {
			out = append(out, c.pb)
			delete(cs.byID, k)
		}
	}
	slices.SortFunc(out, func(a, b *api.OTCursor) int { return strings.Compare(a.GetId(), b.GetId()) })
	return out
}

func (cs *cursors) owned(id int32) int {
	n := 0
	for _, c := range cs.byID {
		if c.session == id {
			n++
		}
	}
	return n
}

// newCursor records a cursor (or moves one the session already has with
// that id) and relays it to the other sessions. The user is the
// session's, whatever the client wrote. Clients usually send cursors
// without a ref; one sent as a request gets ok.
func (s *service) newCursor(se services.Session, cmd *api.Command, c *api.OTCursor) error {
	if c.GetId() == "" {
		return errors.New(`otNewCursor needs an id, e.g. { otNewCursor: { id: "c1", position: 0 } }`)
	}
	n := uint32(s.buf.doc.Len())
	for _, f := range []struct {
		name string
		v    uint32
	}{{"position", c.GetPosition()}, {"selectionStart", c.GetSelectionStart()}, {"selectionEnd", c.GetSelectionEnd()}} {
		if f.v > n {
			return fmt.Errorf("otNewCursor: %s %d is past the end of the document (%s)", f.name, f.v, points(int(n)))
		}
	}
	old, exists := s.cursors.byID[c.GetId()]
	switch {
	case exists && old.session != se.ID:
		return fmt.Errorf("otNewCursor: cursor id %q belongs to another session; pick a unique id", c.GetId())
	case !exists && s.cursors.owned(se.ID) >= s.cursors.perSession:
		return fmt.Errorf("otNewCursor: a session may have at most %d cursors; delete one first", s.cursors.perSession)
	}
	pb := &api.OTCursor{
		Id:             c.GetId(),
		Position:       c.GetPosition(),
		SelectionStart: c.GetSelectionStart(),
		SelectionEnd:   c.GetSelectionEnd(),
		User:           &api.User{Id: se.User.ID, Name: se.User.Name, Session: se.ID},
	}
	s.cursors.byID[pb.Id] = &cursor{session: se.ID, pb: pb}
	services.Others(s.ch, se.ID, &api.Command{Body: &api.Command_OtNewCursor{OtNewCursor: proto.CloneOf(pb)}})
	answer(s.ch, se, cmd)
	return nil
}

// deleteCursor removes one of the session's cursors and tells the others.
func (s *service) deleteCursor(se services.Session, cmd *api.Command, c *api.OTCursor) error {
	old, ok := s.cursors.byID[c.GetId()]
	switch {
	case !ok:
		return fmt.Errorf("otDeleteCursor: there is no cursor %q", c.GetId())
	case old.session != se.ID:
		return fmt.Errorf("otDeleteCursor: cursor %q belongs to another session", c.GetId())
	}
	delete(s.cursors.byID, c.GetId())
	services.Others(s.ch, se.ID, &api.Command{Body: &api.Command_OtDeleteCursor{OtDeleteCursor: old.pb}})
	answer(s.ch, se, cmd)
	return nil
}

// answer replies ok to a command sent as a request (with a ref).
func answer(ch services.Channel, se services.Session, cmd *api.Command) {
	if cmd.GetRef() != "" {
		services.Reply(ch, se, cmd, services.OK())
	}
}
