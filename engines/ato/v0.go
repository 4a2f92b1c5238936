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
	runCtx, stopReading := rejectFurther(ctx, c)
	defer stopReading()
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

// rejectFurther reads on c while a run goes (which also answers the
// client's pings and close), closing with 1008 if a data message comes;
// the context it returns ends with the connection. stop closes c (the
// handler is done with it) and waits for the reader.
//
// coder/websocket's CloseRead does this, but its reader calls Close from
// inside its own goroutine, whose Close then waits 15 s for that very
// goroutine to end: every closer of the connection hangs that long.
func rejectFurther(ctx context.Context, c *websocket.Conn) (context.Context, func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer cancel()
		if _, _, err := c.Read(ctx); err == nil {
			c.Close(websocket.StatusPolicyViolation, "unexpected data message")
		}
	}()
	return ctx, func() {
		cancel()
		c.CloseNow()
		<-done
	}
}
