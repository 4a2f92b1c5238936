package conman

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/coder/websocket"
	"google.golang.org/protobuf/proto"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/internal/wire"
)

// serveWS authenticates, upgrades and runs one session; this goroutine is
// the session's reader.
func (h *Hub) serveWS(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if h.cfg.Authenticate == nil {
		http.Error(w, "pid1 has no authenticator configured", http.StatusInternalServerError)
		return
	}
	user, err := h.cfg.Authenticate(token)
	if err != nil {
		h.metrics.authFailures.Inc()
		h.log.Info("refused connection", "remote", r.RemoteAddr, "err", err)
		http.Error(w, "unauthorized: "+err.Error(), http.StatusUnauthorized)
		return
	}
	s, err := h.admit(user)
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	defer h.leave(s)
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		OriginPatterns:     h.cfg.OriginPatterns,
		InsecureSkipVerify: len(h.cfg.OriginPatterns) == 0,
	})
	if err != nil {
		s.log.Info("upgrade failed", "err", err)
		return
	}
	s.log.Info("session connected", "remote", r.RemoteAddr)
	wc := wire.WebSocket(conn)
	wc.SetStallTimeout(h.cfg.StallTimeout)
	h.run(s, wc)
}

// run serves session s over conn until either ends; the calling goroutine
// is the session's reader.
func (h *Hub) run(s *session, conn wire.Conn) {
	conn.SetReadLimit(h.cfg.MaxFrameBytes)
	s.conn = conn
	h.metrics.connections.Inc()
	go s.writeLoop()
	// The handshake of a goval container: boot stages (a client shows
	// them; pid1 has nothing to acquire, so it goes from the handshake
	// to complete), then READY, after which the client opens channels.
	for _, stage := range []api.BootStatus_Stage{api.BootStatus_HANDSHAKE, api.BootStatus_COMPLETE} {
		s.sendControl(&api.Command{Body: &api.Command_BootStatus{BootStatus: &api.BootStatus{Stage: stage}}})
	}
	s.sendControl(&api.Command{Body: &api.Command_ContainerState{
		ContainerState: &api.ContainerState{State: api.ContainerState_READY}}})
	h.greet(s)
	h.readLoop(s)
}

// admit registers a new session unless the hub is full or closing.
func (h *Hub) admit(user services.User) (*session, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		return nil, errors.New("pid1 is shutting down")
	}
	if len(h.sessions) >= h.cfg.MaxSessions {
		return nil, fmt.Errorf("too many sessions (limit %d)", h.cfg.MaxSessions)
	}
	if h.userSessions[user.ID] >= h.cfg.MaxSessionsPerUser {
		return nil, fmt.Errorf("too many sessions of user %s (limit %d per user): close some", user.Name, h.cfg.MaxSessionsPerUser)
	}
	h.userSessions[user.ID]++
	ctx, cancel := context.WithCancel(context.Background())
	writes, abortWrites := context.WithCancel(ctx)
	s := &session{
		writes:      writes,
		abortWrites: abortWrites,
		hub:         h,
		id:          h.nextSession.Add(1),
		user:        user,
		out:         newOutQueue(h.cfg.QueueFrames, h.cfg.QueueBytes),
		ctx:         ctx,
		cancel:      cancel,
		chans:       make(map[int32]*channel),
		closing:     make(chan struct{}),
		writerDone:  make(chan struct{}),
	}
	s.log = h.log.With("session", s.id, "user", user.Name, "user_id", user.ID)
	h.sessions[s.id] = s
	h.wg.Add(1)
	h.metrics.sessions.Inc()
	return s, nil
}

// leave detaches the session from every channel and unregisters it.
func (h *Hub) leave(s *session) {
	s.mu.Lock()
	open := make([]*channel, 0, len(s.chans))
	for _, c := range s.chans {
		open = append(open, c)
	}
	clear(s.chans)
	s.mu.Unlock()
	for _, c := range open {
		c.post(func() { c.detach(s, api.CloseChannel_DISCONNECT, "", false) })
	}
	s.closeWith(websocket.StatusNormalClosure, "", false)
	if s.conn != nil {
		<-s.writerDone
	}
	s.unreserve(int(s.held.Load())) // what was queued and never written
	s.cancel()
	h.mu.Lock()
	delete(h.sessions, s.id)
	if h.userSessions[s.user.ID]--; h.userSessions[s.user.ID] <= 0 {
		delete(h.userSessions, s.user.ID)
	}
	h.mu.Unlock()
	h.metrics.sessions.Dec()
	s.log.Info("session disconnected")
	h.wg.Done()
}

// readLoop reads frames until the connection ends or the session closes.
func (h *Hub) readLoop(s *session) {
	// Reading must stop when the writer closes the session (slow client,
	// shutdown): tie the read context to the closing signal.
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	go func() {
		select {
		case <-s.closing:
			<-s.writerDone
			cancel()
		case <-ctx.Done():
		}
	}()
	for {
		// Unmarshal copies what it keeps, so conn may reuse data's buffer.
		typ, data, err := s.conn.Read(ctx)
		if err != nil {
			var ce websocket.CloseError
			switch {
			case errors.As(err, &ce):
				s.log.Debug("client closed", "code", ce.Code, "reason", ce.Reason)
			case errors.Is(err, wire.ErrStalled):
				h.metrics.protocolErrors.WithLabelValues("stalled_frame").Inc()
				s.log.Info("a frame stopped arriving; dropped the connection", "err", err)
			case errors.Is(err, websocket.ErrMessageTooBig):
				// coder/websocket has already closed with 1009.
				h.metrics.protocolErrors.WithLabelValues("too_big").Inc()
				s.log.Info("frame over the size limit", "limit", h.cfg.MaxFrameBytes)
			case ctx.Err() == nil:
				s.log.Debug("read ended", "err", err)
			}
			return
		}
		h.metrics.bytesIn.Add(float64(len(data)))
		if typ != websocket.MessageBinary {
			h.metrics.protocolErrors.WithLabelValues("text_frame").Inc()
			s.closeWith(websocket.StatusUnsupportedData, "pid1 accepts binary frames only: one protobuf Command each", true)
			continue
		}
		cmd := &api.Command{}
		if err := proto.Unmarshal(data, cmd); err != nil {
			h.metrics.protocolErrors.WithLabelValues("undecodable").Inc()
			s.sendControl(&api.Command{Body: &api.Command_ProtocolError{
				ProtocolError: &api.ProtocolError{Text: "cannot decode frame as a Command: " + err.Error()}}})
			s.closeWith(websocket.StatusPolicyViolation, "undecodable frame", true)
			continue
		}
		h.metrics.commandsIn.Inc()
		if cmd.Channel == 0 {
			h.control(s, cmd)
			continue
		}
		h.route(ctx, s, cmd)
	}
}

// route hands a command to its channel's actor.
func (h *Hub) route(ctx context.Context, s *session, cmd *api.Command) {
	c := s.channel(cmd.Channel)
	if c == nil {
		s.sendControl(&api.Command{Ref: cmd.Ref, Body: &api.Command_Error{
			Error: fmt.Sprintf("channel %d is not open in this session", cmd.Channel)}})
		return
	}
	if cmd.Body == nil {
		s.sendControl(&api.Command{Ref: cmd.Ref, Body: &api.Command_Error{
			Error: fmt.Sprintf("command on channel %d has no body (or one pid1 does not know)", cmd.Channel)}})
		return
	}
	c.postCommand(ctx, func() { c.command(s, cmd) })
}
