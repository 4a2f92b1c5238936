package ranna

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/pid1/pid1/engines"
)

// wsConn is one connection to /v1/ws: its own session, with its own
// runs. The reading goroutine handles operations; each run has a
// goroutine that writes its events.
type wsConn struct {
	s      *Server
	c      *websocket.Conn
	ctx    context.Context
	cancel context.CancelFunc
	client string
	log    *slog.Logger
	wg     sync.WaitGroup

	mu   sync.Mutex
	runs map[string]*engines.Run // this connection's runs going, by id
	idle *time.Timer
}

// serveWS is GET /v1/ws.
func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		writeError(w, &Error{http.StatusUpgradeRequired, "upgrade required: /v1/ws is a WebSocket endpoint"})
		return
	}
	c, ctx, done, ok := s.accept(w, r)
	if !ok {
		return
	}
	defer done()
	ctx, cancel := context.WithCancel(ctx)
	wc := &wsConn{s: s, c: c, ctx: ctx, cancel: cancel, client: clientOf(r),
		log: s.log.With("api", "ws", "remote", r.RemoteAddr), runs: map[string]*engines.Run{}}
	wc.idle = time.AfterFunc(s.cfg.Idle, wc.idleCheck)
	defer func() {
		wc.idle.Stop()
		cancel() // kills the runs still going
		wc.wg.Wait()
	}()
	wc.read()
}

// read handles the client's operations until the connection ends.
func (wc *wsConn) read() {
	for {
		typ, b, err := wc.c.Read(wc.ctx)
		if err != nil {
			return
		}
		wc.idle.Reset(wc.s.cfg.Idle)
		if typ != websocket.MessageText {
			wc.sendError(nil, errInvalidType, "")
			continue
		}
		op, e := decodeOp(b)
		if e != nil {
			wc.sendError(op.Nonce, e, "")
			continue
		}
		switch op.Op {
		case opPing:
			wc.send(event{Code: evPong, Nonce: op.Nonce, Data: "Pong!"})
		case opExec:
			wc.exec(op)
		case opKill:
			wc.kill(op)
		}
	}
}

// exec starts a run; its events go out from a goroutine of its own.
func (wc *wsConn) exec(op operation) {
	wc.mu.Lock()
	n := len(wc.runs)
	wc.mu.Unlock()
	if n >= wc.s.cfg.MaxRunsPerConn {
		wc.sendError(op.Nonce, &Error{429, fmt.Sprintf("too many runs on this connection at once (limit %d); wait for a STOP", wc.s.cfg.MaxRunsPerConn)}, "")
		return
	}
	req, e := wc.s.specs().Request(op.Exec, wc.s.cfg.Limits, wc.client)
	if e != nil {
		wc.sendError(op.Nonce, e, "")
		return
	}
	run, err := wc.s.cfg.Engine.Start(wc.ctx, req)
	if err != nil {
		wc.refused(op.Nonce, err, "", req.Language)
		return
	}
	id := NewRunID()
	wc.mu.Lock()
	wc.runs[id] = run
	wc.mu.Unlock()
	wc.wg.Go(func() { wc.stream(op.Nonce, id, run, req.Language) })
}

// stream sends a run's events: SPAWN when it starts, LOG as it writes,
// and STOP (after an ERROR when it timed out or its output was cut).
func (wc *wsConn) stream(nonce json.RawMessage, id string, run *engines.Run, lang string) {
	defer func() {
		wc.mu.Lock()
		delete(wc.runs, id)
		wc.mu.Unlock()
		wc.idle.Reset(wc.s.cfg.Idle)
	}()
	var spawned time.Time
	var out, errs text
	logEvent := func(stdout, stderr string) bool {
		if stdout == "" && stderr == "" {
			return true
		}
		return wc.send(event{Code: evLog, Nonce: nonce, Data: logData{RunID: id, Stdout: stdout, Stderr: stderr}})
	}
	for {
		ev, err := run.Next(wc.ctx)
		if err != nil {
			return // the connection is gone, and with it the run
		}
		ok := true
		switch ev.Kind {
		case engines.Started:
			spawned = time.Now()
			ok = wc.send(event{Code: evSpawn, Nonce: nonce, Data: runIDData{id}})
		case engines.Stdout:
			ok = logEvent(out.next(ev.Data), "")
		case engines.Stderr:
			ok = logEvent("", errs.next(ev.Data))
		case engines.Done:
			if !logEvent(out.flush(), "") || !logEvent("", errs.flush()) {
				return
			}
			if ev.Err != nil {
				if !wc.refused(nonce, ev.Err, id, lang) || spawned.IsZero() {
					return
				}
				// It was announced: it ends with a STOP.
				wc.send(event{Code: evStop, Nonce: nonce, Data: stopData{id, Outcome{ExecTimeMS: time.Since(spawned).Milliseconds(), ExitCode: -1}}})
				return
			}
			if w := Warning(ev.Result, wc.s.cfg.Limits); w != nil && !wc.sendError(nonce, w, id) {
				return
			}
			wc.send(event{Code: evStop, Nonce: nonce, Data: stopData{id, OutcomeOf(ev.Result)}})
			return
		}
		if !ok {
			return
		}
	}
}

// kill kills one of this connection's runs; the run's STOP follows.
// Another connection's runs are not there to kill.
func (wc *wsConn) kill(op operation) {
	wc.mu.Lock()
	run := wc.runs[op.RunID]
	wc.mu.Unlock()
	if run == nil {
		wc.sendError(op.Nonce, errNotRunning, "")
		return
	}
	run.Kill()
}

// idleCheck closes a connection that has had nothing to do for Idle.
func (wc *wsConn) idleCheck() {
	wc.mu.Lock()
	busy := len(wc.runs) > 0
	wc.mu.Unlock()
	if busy {
		wc.idle.Reset(wc.s.cfg.Idle)
		return
	}
	wc.c.Close(websocket.StatusNormalClosure, "idle: no operation in "+wc.s.cfg.Idle.String())
	wc.cancel()
}

// refused sends the ERROR for a run the core refused or could not run;
// the server's own failures are logged.
func (wc *wsConn) refused(nonce json.RawMessage, err error, id, lang string) bool {
	e := StartError(err)
	if e == errInternal {
		wc.log.Error("a run failed", "language", lang, "err", err)
	}
	return wc.sendError(nonce, e, id)
}

func (wc *wsConn) sendError(nonce json.RawMessage, e *Error, id string) bool {
	return wc.send(event{Code: evError, Nonce: nonce, Data: errorData{e, id}})
}

// send writes one event; a failed write ends the connection.
func (wc *wsConn) send(ev event) bool {
	b, err := json.Marshal(ev)
	if err != nil {
		wc.log.Error("encoding an event", "err", err)
		wc.cancel()
		return false
	}
	ctx, cancel := context.WithTimeout(wc.ctx, wc.s.cfg.WriteTimeout)
	defer cancel()
	if err := wc.c.Write(ctx, websocket.MessageText, b); err != nil {
		wc.cancel()
		return false
	}
	return true
}
