package conman

import (
	"errors"
	"fmt"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
)

// control handles a channel-0 command inline on the reader, so later frames
// from this session see its effect (goval: channel 0 blocks all channels).
func (h *Hub) control(s *session, cmd *api.Command) {
	switch body := cmd.Body.(type) {
	case *api.Command_OpenChan:
		h.openChan(s, cmd.Ref, body.OpenChan)
	case *api.Command_CloseChan:
		h.closeChan(s, cmd.Ref, body.CloseChan)
	case *api.Command_Ping:
		s.sendPong(cmd.Ref)
	case *api.Command_UserEvent, *api.Command_Focused, *api.Command_Hello, *api.Command_Goodbye:
		// Client analytics and session notices: nothing to do.
	case nil:
		s.sendControl(&api.Command{Ref: cmd.Ref, Body: &api.Command_Error{
			Error: "channel 0 command has no body (or one pid1 does not know)"}})
	default:
		s.sendControl(&api.Command{Ref: cmd.Ref, Body: &api.Command_Error{
			Error: fmt.Sprintf("channel 0 does not handle %s; it takes openChan, closeChan and ping", services.BodyName(cmd))}})
	}
}

func (h *Hub) openChan(s *session, ref string, req *api.OpenChannel) {
	refuse := func(msg string) {
		s.sendControl(&api.Command{Ref: ref, Body: &api.Command_OpenChanRes{OpenChanRes: &api.OpenChannelRes{
			State: api.OpenChannelRes_ERROR, Error: msg}}})
	}
	s.mu.Lock()
	n := len(s.chans)
	s.mu.Unlock()
	if n >= h.cfg.MaxChannelsPerSession {
		refuse(fmt.Sprintf("too many open channels in this session (limit %d)", h.cfg.MaxChannelsPerSession))
		return
	}
	c, created, err := h.resolve(req.GetService(), req.GetName(), req.GetAction(), s.user)
	if err != nil {
		var r errRefused
		if !errors.As(err, &r) {
			s.log.Error("openChan failed", "err", err)
		}
		refuse(err.Error())
		return
	}
	s.mu.Lock()
	if _, dup := s.chans[c.info.ID]; dup {
		s.mu.Unlock()
		refuse(fmt.Sprintf("channel %q (id %d) is already open in this session", c.info.Name, c.info.ID))
		return
	}
	s.chans[c.info.ID] = c
	s.mu.Unlock()
	state := api.OpenChannelRes_ATTACHED
	if created {
		state = api.OpenChannelRes_CREATED
	}
	res := &api.Command{Ref: ref, Body: &api.Command_OpenChanRes{OpenChanRes: &api.OpenChannelRes{
		Id: c.info.ID, State: state}}}
	if !c.post(func() { c.attach(s, res) }) {
		s.forgetChannel(c)
		refuse("the channel closed while opening")
	}
}

func (h *Hub) closeChan(s *session, ref string, req *api.CloseChannel) {
	id := req.GetId()
	c := s.channel(id)
	if c == nil {
		s.sendControl(closeRes(id, api.CloseChannelRes_NOTHING, ref))
		s.sendControl(&api.Command{Body: &api.Command_Error{
			Error: fmt.Sprintf("closeChan: channel %d is not open in this session", id)}})
		return
	}
	// From here on the session may not send on the channel; the actor
	// replies once everything the session sent before has been handled.
	s.forgetChannel(c)
	action := req.GetAction()
	if !c.post(func() { c.detach(s, action, ref, true) }) {
		s.sendControl(closeRes(id, api.CloseChannelRes_CLOSE, ref))
	}
}
