package conman

import (
	"context"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
)

// detach removes s from the channel as closeChan{action} asks and, if
// reply, answers with closeChanRes carrying ref. Runs on the actor.
//
// DISCONNECT leaves the channel to the others; TRY_CLOSE closes it if s was
// the last session; CLOSE closes it for everyone. An anonymous channel
// always dies with its last session; a pinned one (Hub.Open) never closes
// for a session, so both only disconnect the caller. So do a read-only
// session's CLOSE, and its TRY_CLOSE of a channel that runs a process.
func (c *channel) detach(s *session, action api.CloseChannel_Action, ref string, reply bool) {
	c.mu.Lock()
	if c.members[s.id] != s {
		c.mu.Unlock()
		if reply {
			s.sendControl(closeRes(c.info.ID, api.CloseChannelRes_NOTHING, ref))
		}
		return
	}
	delete(c.members, s.id)
	if c.pinned || (!s.user.CanWrite && (action == api.CloseChannel_CLOSE || c.desc.Starts)) {
		// A read-only session may leave, but not end a channel others
		// share or a process a writer started.
		action = api.CloseChannel_DISCONNECT
	}
	var evicted []*session
	destroy := false
	switch action {
	case api.CloseChannel_TRY_CLOSE:
		destroy = len(c.members) == 0
	case api.CloseChannel_CLOSE:
		destroy = true
		for id, o := range c.members {
			evicted = append(evicted, o)
			delete(c.members, id)
		}
	}
	if len(c.members) == 0 && c.info.Name == "" {
		destroy = true
	}
	status := api.CloseChannelRes_DISCONNECT
	if destroy {
		c.closed = true
		status = api.CloseChannelRes_CLOSE
	} else {
		c.idleLocked()
	}
	if reply {
		s.sendControl(closeRes(c.info.ID, status, ref))
	}
	for _, o := range evicted {
		// The others did not ask: an unsolicited closeChanRes (no ref)
		// tells them the channel is gone, and no more of its traffic
		// follows it.
		o.forgetChannel(c)
		o.sendControl(closeRes(c.info.ID, api.CloseChannelRes_CLOSE, ""))
	}
	c.mu.Unlock()

	c.safely("detach", func() { services.Detach(c.svc, s.public()) })
	for _, o := range evicted {
		c.safely("detach", func() { services.Detach(c.svc, o.public()) })
	}
	if destroy {
		c.destroy()
	}
}

// idleLocked starts the idle timer of a named channel running a process
// that nobody is attached to any more: if nobody comes back in time, it
// is closed, so abandoned shells do not pile up. Call with c.mu held.
func (c *channel) idleLocked() {
	timeout := c.hub.cfg.IdleChannelTimeout
	if len(c.members) > 0 || c.closed || c.pinned || !c.desc.Starts || timeout < 0 || c.idle != nil {
		return
	}
	c.idle = time.AfterFunc(timeout, func() { c.post(c.closeIfIdle) })
}

// closeIfIdle closes the channel if still nobody is attached. Runs on the
// actor.
func (c *channel) closeIfIdle() {
	c.mu.Lock()
	if len(c.members) > 0 || c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	c.idle = nil
	c.mu.Unlock()
	c.log.Info("closing a channel nobody has been attached to", "idle", c.hub.cfg.IdleChannelTimeout)
	c.destroy()
}

// drain lets the service end gracefully (services.Drainer). Runs on the
// actor.
func (c *channel) drain(ctx context.Context) {
	c.safely("drain", func() { services.Drain(ctx, c.svc) })
}

// shutdown closes the channel for everyone without replies; the hub is
// going away and closes the sockets itself. Runs on the actor.
func (c *channel) shutdown() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	members := make([]*session, 0, len(c.members))
	for id, s := range c.members {
		members = append(members, s)
		delete(c.members, id)
	}
	c.mu.Unlock()
	for _, s := range members {
		s.forgetChannel(c)
		c.safely("detach", func() { services.Detach(c.svc, s.public()) })
	}
	c.destroy()
}

// destroy unregisters the channel, closes the service and stops the actor.
// Runs on the actor, after c.closed was set.
func (c *channel) destroy() {
	c.mu.Lock()
	if c.idle != nil {
		c.idle.Stop()
		c.idle = nil
	}
	c.mu.Unlock()
	c.hub.forget(c)
	c.safely("close", func() { services.Close(c.svc) })
	c.cancel()
	c.log.Debug("channel closed")
}

func closeRes(id int32, status api.CloseChannelRes_Status, ref string) *api.Command {
	return &api.Command{Ref: ref, Body: &api.Command_CloseChanRes{
		CloseChanRes: &api.CloseChannelRes{Id: id, Status: status}}}
}
