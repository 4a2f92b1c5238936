package ato

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/coder/websocket"

	"github.com/pid1/pid1/engines"
	"github.com/pid1/pid1/engines/perclient"
)

// Engine is what the adapter needs of the execution core.
type Engine interface {
	Start(ctx context.Context, req engines.Request) (*engines.Run, error)
	Languages() []engines.Language
}

// Config configures a Server.
type Config struct {
	Engine Engine
	Log    *slog.Logger
	// Idle is how long a connection may go without sending a request
	// (default 90 s, as long as ATO's proxy waits).
	Idle time.Duration
	// WriteTimeout bounds each message to the client (default 30 s).
	WriteTimeout time.Duration
}

// Server serves ATO's API.
type Server struct {
	cfg   Config
	log   *slog.Logger
	conns *engines.Conns
}

// New makes a Server.
func New(cfg Config) *Server {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Idle <= 0 {
		cfg.Idle = 90 * time.Second
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 30 * time.Second
	}
	return &Server{cfg: cfg, log: cfg.Log.With("engine", "ato"), conns: engines.NewConns()}
}

// Register adds ATO's endpoints to mux.
func (s *Server) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v0/ws/execute", s.serveV0)
	mux.HandleFunc("GET /api/v1/ws/execute", s.serveV1)
	mux.HandleFunc("GET /api/v0/metadata", s.serveMetadata)
	mux.HandleFunc("GET /languages.json", s.serveLanguages)
}

// Shutdown closes every connection with 1001, which kills its run, and
// waits for them to finish or ctx to end.
func (s *Server) Shutdown(ctx context.Context) error { return s.conns.Shutdown(ctx) }

// accept upgrades a request to a WebSocket that lives until the client
// goes away or Shutdown; its context ends with it.
func (s *Server) accept(w http.ResponseWriter, r *http.Request) (*websocket.Conn, context.Context, context.CancelFunc, bool) {
	if !s.conns.Enter() {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return nil, nil, nil, false
	}
	// Browsers connect from other origins by design: these endpoints
	// are public, guarded by the per-client limits, not by origin.
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		s.log.Debug("upgrade failed", "remote", r.RemoteAddr, "err", err)
		s.conns.Leave()
		return nil, nil, nil, false
	}
	c.SetReadLimit(readLimit)
	ctx, cancel := context.WithCancel(r.Context())
	stop := context.AfterFunc(s.conns.Closing(), func() {
		c.Close(websocket.StatusGoingAway, "server shutting down")
		cancel()
	})
	return c, ctx, func() {
		stop()
		cancel()
		c.CloseNow()
		s.conns.Leave()
	}, true
}

// closeWith ends a connection the way e says.
func closeWith(c *websocket.Conn, e *closeError) {
	c.Close(e.code, fit(e.reason))
}

// request turns a decoded message 1 into the core's request, or says how
// v closes for it.
func (v version) request(msg []byte, client string) (engines.Request, *closeError) {
	req, err := decodeRequest(msg)
	if err != nil {
		var de *decodeError
		if errors.As(err, &de) {
			return engines.Request{}, v.invalid(de.detail)
		}
		return engines.Request{}, v.internal()
	}
	if req.timeout < 1 || req.timeout > maxTimeout {
		return engines.Request{}, v.badTimeout(req.timeout)
	}
	if req.hasNUL() {
		return engines.Request{}, v.nulByte()
	}
	if req.hasCustomRunner {
		return engines.Request{}, v.invalid("custom_runner is not supported by this server")
	}
	out := engines.Request{
		Language: req.language, Code: req.code, Input: req.input,
		Options: strs(req.options), Arguments: strs(req.arguments),
		Timeout:        time.Duration(req.timeout) * time.Second,
		StdoutCap:      128 << 10,
		StderrCap:      128 << 10,
		KillOnTruncate: true,
		ChunkSize:      16 << 10,
		Client:         client,
	}
	if v == v0 {
		out.StderrCap = 32 << 10
		out.ChunkSize = 128 << 10 // v0 replies once: no need for small chunks
	}
	return out, nil
}

func clientOf(r *http.Request) string { return perclient.FromContext(r.Context()) }

// refuse closes a connection whose run was refused or could not happen;
// failures of the server's own are logged.
func (s *Server) refuse(c *websocket.Conn, v version, err error, lang string, log *slog.Logger) {
	if errors.Is(err, context.Canceled) {
		return // the client went away first
	}
	e := v.startError(err, lang)
	if e.code == websocket.StatusInternalError {
		log.Error("a run failed", "language", lang, "err", err)
	}
	closeWith(c, e)
}
