package ot

import (
	"fmt"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/internal/textot"
)

// baseVersion is the version a client's op was made against. Clients of
// the current protocol send it as spookyVersion. The seed's transcripts
// send it as version ({ version: 0 } against a fresh buffer), so version
// is taken when it is the only one set.
func baseVersion(p *api.OTPacket) uint32 {
	if p.GetSpookyVersion() == 0 {
		return p.GetVersion()
	}
	return p.GetSpookyVersion()
}

// submit commits a client's op: the packet goes to every session, the
// sender included, and then the sender gets ok, both once the op log has
// made the version durable (see held). An empty op is committed
// like any other (it takes a version and changes nothing): a client's
// pending op can become empty when transformed past someone else's, and
// the client still awaits its ack.
func (s *service) submit(se services.Session, cmd *api.Command, p *api.OTPacket) error {
	op, err := textot.FromProto(p.GetOp())
	if err != nil {
		return fmt.Errorf("ot: %w", err)
	}
	base := baseVersion(p)
	if s.buf.resent(base, se.User.ID, p.GetNonce()) {
		// Its packet went out when it was first committed; the sender
		// finds it by fetching.
		services.Reply(s.ch, se, cmd, services.OK())
		return nil
	}
	s.prepareLog()
	committed, err := s.buf.commit(base, op, se.User.ID, api.OTPacket_USER, p.GetNonce())
	if err != nil {
		return err
	}
	s.logCommit(committed, nil)
	if err := s.publish(committed); err != nil {
		return err
	}
	services.Reply(s.ch, se, cmd, services.OK())
	return nil
}

// publish moves the cursors across a committed packet and broadcasts it.
func (s *service) publish(p *packet) error {
	s.cursors.transform(p.op)
	pb, err := p.proto()
	if err != nil {
		return err
	}
	services.Broadcast(s.ch, &api.Command{Body: &api.Command_Ot{Ot: pb}})
	return nil
}
