package ato

import (
	"context"
	"errors"
	"net/http"

	"github.com/coder/websocket"

	"github.com/pid1/pid1/engines"
)

// serveV0 is GET /api/v0/ws/execute: one request, one reply, close 1000.
func (s *Server) serveV0(w http.ResponseWriter, r *http.Request) {
	c, ctx, done, ok := s.accept(w, r)
	if !ok {
		return
	}
	defer done()
	log := s.log.With("api", "v0", "remote", r.RemoteAddr)

	rctx, cancel := context.WithTimeout(ctx, s.cfg.Idle)
	m, err := readMessage(rctx, c)
	cancel()
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			closeWith(c, &closeError{websocket.StatusPolicyViolation, "no request within " + s.cfg.Idle.String()})
		}
		return
	}
	if e := m.check(v0); e != nil {
		closeWith(c, e)
		return
	}
	req, e := v0.request(m.data, clientOf(r))
	if e != nil {
		closeWith(c, e)
		return
	}
	// Nothing may follow the request: the client going away, or sending
	// anything at all (closed with 1008), ends the run.
	runCtx := c.CloseRead(ctx)
	run, err := s.cfg.Engine.Start(runCtx, req)
	if err != nil {
		s.refuse(c, v0, err, req.Language, log)
		return
	}
	var stdout, stderr []byte
	for {
		ev, err := run.Next(runCtx)
		if err != nil { // the client went away: the run is being killed
			return
		}
		switch ev.Kind {
		case engines.Stdout:
			stdout = append(stdout, ev.Data...)
		case engines.Stderr:
			stderr = append(stderr, ev.Data...)
		case engines.Done:
			if ev.Err != nil {
				s.refuse(c, v0, ev.Err, req.Language, log)
				return
			}
			wctx, cancel := context.WithTimeout(ctx, s.cfg.WriteTimeout)
			err := c.Write(wctx, websocket.MessageBinary, encodeReply(stdout, stderr, ev.Result))
			cancel()
			if err == nil {
				c.Close(websocket.StatusNormalClosure, "success")
			}
			return
		}
	}
}
