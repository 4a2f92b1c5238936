package ato

import (
	"bytes"
	"context"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/pid1/pid1/engines"
)

// v1conn is one connection of API v1. Its reader goroutine reads every
// message: "Kill" kills the current run (and is ignored between runs,
// where it can only be a kill that crossed its run's Done); anything else
// is a request, handed to the serving goroutine, which runs it and writes
// its events. A request while a run is going closes the connection.
type v1conn struct {
	s        *Server
	c        *websocket.Conn
	ctx      context.Context
	cancel   context.CancelFunc
	cur      atomic.Pointer[engines.Run]
	requests chan []byte
}

// serveV1 is GET /api/v1/ws/execute: requests, each answered by streamed
// output and Done, on one connection for as long as the client likes.
func (s *Server) serveV1(w http.ResponseWriter, r *http.Request) {
	c, ctx, done, ok := s.accept(w, r)
	if !ok {
		return
	}
	defer done()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	vc := &v1conn{s: s, c: c, ctx: ctx, cancel: cancel, requests: make(chan []byte)}
	go vc.read()
	log := s.log.With("api", "v1", "remote", r.RemoteAddr)
	client := clientOf(r)
	var buf []byte
	for {
		var msg []byte
		idle := time.NewTimer(s.cfg.Idle)
		select {
		case msg = <-vc.requests:
			idle.Stop()
		case <-idle.C:
			vc.fail(&closeError{websocket.StatusPolicyViolation, "no request within " + s.cfg.Idle.String()})
			return
		case <-ctx.Done():
			idle.Stop()
			return
		}
		req, e := v1.request(msg, client)
		if e != nil {
			vc.fail(e)
			return
		}
		run, err := s.cfg.Engine.Start(ctx, req)
		if err != nil {
			s.refuse(c, v1, err, req.Language, log)
			return
		}
		vc.cur.Store(run)
		for {
			ev, err := run.Next(ctx)
			if err != nil {
				return // the connection is gone, and with it the run
			}
			buf = buf[:0]
			switch ev.Kind {
			case engines.Stdout, engines.Stderr:
				buf = appendOutput(buf, ev.Kind, ev.Data)
			case engines.Done:
				if ev.Err != nil {
					s.refuse(c, v1, ev.Err, req.Language, log)
					return
				}
				// Free before Done is sent: the client may answer Done
				// with its next request at once.
				vc.cur.Store(nil)
				buf = appendDone(buf, ev.Result)
			default:
				continue
			}
			if !vc.write(buf) {
				return
			}
			if ev.Kind == engines.Done {
				break
			}
		}
	}
}

func (vc *v1conn) write(b []byte) bool {
	ctx, cancel := context.WithTimeout(vc.ctx, vc.s.cfg.WriteTimeout)
	defer cancel()
	if err := vc.c.Write(ctx, websocket.MessageBinary, b); err != nil {
		vc.cancel()
		return false
	}
	return true
}

// fail closes the connection as e says; the run, if any, dies with it.
func (vc *v1conn) fail(e *closeError) {
	closeWith(vc.c, e)
	vc.cancel()
}

func (vc *v1conn) read() {
	defer vc.cancel() // a read error is the client gone: kill the run
	for {
		m, err := readMessage(vc.ctx, vc.c)
		if err != nil {
			return
		}
		if e := m.check(v1); e != nil {
			vc.fail(e)
			return
		}
		if bytes.Equal(m.data, kill) {
			if run := vc.cur.Load(); run != nil {
				run.Kill()
			}
			continue
		}
		if vc.cur.Load() != nil {
			vc.fail(v1.invalid(`only "Kill" may be sent while a run is going`))
			return
		}
		select {
		case vc.requests <- m.data:
		case <-vc.ctx.Done():
			return
		}
	}
}
