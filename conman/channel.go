package conman

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
)

// channel is one service instance and the sessions attached to it. It
// implements services.Channel.
type channel struct {
	hub   *Hub
	info  services.Info
	desc  services.Descriptor
	svc   services.Service
	owner uint32 // the user who created it
	log   *slog.Logger

	ctx    context.Context
	cancel context.CancelFunc

	// mailbox is unbounded so that Post never blocks (a service may Post
	// from its own handler); clients are bounded by inboxSlots instead.
	boxMu      sync.Mutex
	box        []func()
	boxWake    chan struct{}
	inboxSlots chan struct{}
	done       chan struct{} // closed when the actor has exited

	mu      sync.RWMutex
	members map[int32]*session
	closed  bool
	pinned  bool        // opened by pid1 itself (Hub.Open): outlives its sessions
	idle    *time.Timer // closes a named process channel nobody is attached to
}

var _ services.Channel = (*channel)(nil)

func newChannel(h *Hub, info services.Info, desc services.Descriptor) *channel {
	ctx, cancel := context.WithCancel(context.Background())
	return &channel{
		hub:        h,
		info:       info,
		desc:       desc,
		log:        h.log.With("channel", info.ID, "service", info.Service, "name", info.Name),
		ctx:        ctx,
		cancel:     cancel,
		boxWake:    make(chan struct{}, 1),
		inboxSlots: make(chan struct{}, h.cfg.InboxDepth),
		done:       make(chan struct{}),
		members:    make(map[int32]*session),
	}
}

func (c *channel) Info() services.Info      { return c.info }
func (c *channel) Context() context.Context { return c.ctx }
func (c *channel) Logger() *slog.Logger     { return c.log }
func (c *channel) String() string {
	return fmt.Sprintf("%d (%s %q)", c.info.ID, c.info.Service, c.info.Name)
}
func (c *channel) Post(fn func()) bool { return c.post(fn) }

func (c *channel) Go(fn func(ctx context.Context)) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.closed {
		return false
	}
	c.hub.owned.Add(1) // under mu while open: Shutdown waits once every channel is closed
	go func() {
		defer c.hub.owned.Done()
		fn(c.ctx)
	}()
	return true
}
func (c *channel) isMember(s *session) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.members[s.id] == s
}
func (c *channel) sessionsLocked() []services.Session {
	out := make([]services.Session, 0, len(c.members))
	for _, s := range c.members {
		out = append(out, s.public())
	}
	return out
}

func (c *channel) Sessions() []services.Session {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.sessionsLocked()
}

// Send encodes cmd once and queues the bytes for each recipient; it is
// done with cmd when it returns.
func (c *channel) Send(cmd *api.Command) {
	cmd.Channel = c.info.ID
	f, err := encodeFrame(cmd)
	if err != nil {
		c.log.Error("cannot encode outgoing command", "err", err)
		return
	}
	defer f.release()
	c.mu.RLock()
	defer c.mu.RUnlock()
	switch to := cmd.Session; {
	case to > 0:
		if s := c.members[to]; s != nil {
			f.retain()
			s.enqueue(f)
		}
	default:
		for id, s := range c.members {
			if to < 0 && id == -to {
				continue
			}
			f.retain()
			s.enqueue(f)
		}
	}
}

// throttlePoll is how often Throttle looks at the sessions' backlogs.
const throttlePoll = 2 * time.Millisecond

func (c *channel) Throttle(limit int, done <-chan struct{}) bool {
	var waiting time.Time
	for {
		behind, members := c.behind(limit)
		if len(behind) == 0 {
			return true
		}
		switch {
		case len(behind) == members:
			// Nobody is kept waiting by the others: this is back-pressure
			// (one viewer, or all of them slow), not one stalling the rest.
			waiting = time.Time{}
		case waiting.IsZero():
			waiting = time.Now()
		case time.Since(waiting) > c.hub.cfg.SlowViewerGrace:
			for _, s := range behind {
				s.cutOff(fmt.Sprintf("slow client: more than %d KiB behind on the shared channel %d for over %v, while others wait", limit>>10, c.info.ID, c.hub.cfg.SlowViewerGrace))
			}
			waiting = time.Time{}
		}
		select {
		case <-done:
			return false
		case <-c.ctx.Done():
			return false
		case <-time.After(throttlePoll):
		}
	}
}

// behind lists the attached sessions with more than limit bytes waiting
// (queued or being written), and says how many are attached. A session
// being cut off or closed counts for neither: its queue is gone, and the
// write it may still have under way (a stalled client's, for up to
// closeGrace) must not hold the channel back.
func (c *channel) behind(limit int) (out []*session, members int) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, s := range c.members {
		select {
		case <-s.closing:
			continue
		default:
		}
		members++
		if s.out.backlog() > limit {
			out = append(out, s)
		}
	}
	return out, members
}

// abandon gives up a channel that was never published (its constructor
// failed, or the hub began shutting down meanwhile): what its service
// started is closed, and its goroutines end with its context.
func (c *channel) abandon(svc services.Service) {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	if svc != nil {
		c.safely("close", func() { services.Close(svc) })
	}
	c.cancel()
	close(c.done)
}

// post queues fn for the actor; false if the channel is gone.
func (c *channel) post(fn func()) bool {
	select {
	case <-c.done:
		return false
	default:
	}
	c.boxMu.Lock()
	c.box = append(c.box, fn)
	c.boxMu.Unlock()
	select {
	case c.boxWake <- struct{}{}:
	default:
	}
	return true
}

// postCommand queues a client's command, waiting for an inbox slot so that
// a flooding client is slowed down at its own reader rather than growing
// memory without bound.
func (c *channel) postCommand(ctx context.Context, fn func()) bool {
	select {
	case c.inboxSlots <- struct{}{}:
	case <-c.done:
		return false
	case <-ctx.Done():
		return false
	}
	return c.post(func() {
		defer func() { <-c.inboxSlots }()
		fn()
	})
}

// run is the actor loop. It ends after destroy has run on it.
func (c *channel) run() {
	defer close(c.done)
	var batch []func()
	for {
		<-c.boxWake
		c.boxMu.Lock()
		batch, c.box = c.box, batch[:0]
		c.boxMu.Unlock()
		for i, fn := range batch {
			c.safely("event", fn)
			batch[i] = nil
			if c.ctx.Err() != nil {
				c.drainAfterClose()
				return
			}
		}
	}
}

// drainAfterClose releases the inbox slots of commands that will never run,
// so readers waiting on them wake up.
func (c *channel) drainAfterClose() {
	c.boxMu.Lock()
	c.box = nil
	c.boxMu.Unlock()
	for {
		select {
		case <-c.inboxSlots:
		default:
			return
		}
	}
}

// safely runs fn, turning a panic in service code into a logged error: a
// broken service must not take pid1 down.
func (c *channel) safely(what string, fn func()) (panicked bool) {
	defer func() {
		if r := recover(); r != nil {
			panicked = true
			c.log.Error("service panicked", "during", what, "panic", r, "stack", string(debug.Stack()))
		}
	}()
	fn()
	return false
}

// attach makes s a member and queues res to it under the membership lock,
// then tells the service. Runs on the actor.
func (c *channel) attach(s *session, res *api.Command) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		s.forgetChannel(c)
		res.Body = &api.Command_OpenChanRes{OpenChanRes: &api.OpenChannelRes{
			State: api.OpenChannelRes_ERROR, Error: "the channel closed while opening"}}
		s.sendControl(res)
		return
	}
	c.members[s.id] = s
	if c.idle != nil {
		c.idle.Stop()
		c.idle = nil
	}
	s.sendControl(res)
	c.mu.Unlock()
	c.safely("attach", func() { services.Attach(c.svc, s.public()) })
}

// command delivers one client command; an error goes back with its ref.
func (c *channel) command(s *session, cmd *api.Command) {
	if !c.isMember(s) {
		return // detached while the command was queued
	}
	var err error
	switch {
	case !s.user.CanWrite && c.desc.Writes.Has(cmd):
		err = services.ReadOnly(services.BodyName(cmd) + " on " + c.info.Service)
	case c.safely("command", func() { err = c.svc.Command(s.public(), cmd) }):
		err = &services.Error{Kind: services.KindInternal, Msg: "the service panicked"}
	}
	if err != nil {
		c.refuse(s, cmd, err)
	}
}

// refuse answers cmd with an error command. The text is the error's own,
// except for an internal error, whose details go to the log only.
func (c *channel) refuse(s *session, cmd *api.Command, err error) {
	kind := services.KindOf(err)
	c.hub.metrics.refusals.WithLabelValues(c.info.Service, kind.String()).Inc()
	text := err.Error()
	if kind == services.KindInternal {
		c.log.Error("command failed", "body", services.BodyName(cmd), "err", err)
		text = fmt.Sprintf("internal error in service %s", c.info.Service)
	}
	services.Reply(c, s.public(), cmd, services.ErrorCommand(text))
}
