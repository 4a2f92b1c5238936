package asy

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/pid1/pid1/engines"
	"github.com/pid1/pid1/engines/perclient"
)

// The sub-protocols, each path's best first: a server that speaks one
// speaks the lesser ones too.
var (
	fileProtocols        = []string{"asyonline.asy+restore", "asyonline.asy"}
	interactiveProtocols = []string{"asyonline.asy.interactive+restore", "asyonline.asy.interactive"}
)

// ServerConfig configures the native endpoints.
type ServerConfig struct {
	Asy *Asy
	// MaxFiles and MaxBytes bound a task's input files (default 64 files,
	// 4 MiB in all).
	MaxFiles int
	MaxBytes int64
	// Idle is how long a client may take to start its task (default
	// 60 s).
	Idle time.Duration
	// WriteTimeout bounds each message to a client (default 30 s).
	WriteTimeout time.Duration
	Log          *slog.Logger
}

// Server serves asyonline's endpoints.
type Server struct {
	cfg   ServerConfig
	log   *slog.Logger
	conns *engines.Conns
}

// NewServer makes a Server over cfg.Asy.
func NewServer(cfg ServerConfig) *Server {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxFiles <= 0 {
		cfg.MaxFiles = 64
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = 4 << 20
	}
	if cfg.Idle <= 0 {
		cfg.Idle = time.Minute
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 30 * time.Second
	}
	return &Server{cfg: cfg, log: cfg.Log.With("engine", "asy"), conns: engines.NewConns()}
}

// Register adds asyonline's endpoints to mux.
func (s *Server) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /asy", func(w http.ResponseWriter, r *http.Request) { s.serveWS(w, r, false) })
	mux.HandleFunc("GET /asy/interactive", func(w http.ResponseWriter, r *http.Request) { s.serveWS(w, r, true) })
	mux.HandleFunc("GET /asy/status", s.serveStatus)
}

// Shutdown closes every connection with 1001, which aborts its task, and
// waits for them to finish or ctx to end.
func (s *Server) Shutdown(ctx context.Context) error { return s.conns.Shutdown(ctx) }

// statusBody is what GET /asy/status answers, and what status messages
// carry.
type statusBody struct {
	Queue        *queueStatus `json:"queue,omitempty"`
	Announcement string       `json:"announcement,omitempty"`
}

type queueStatus struct {
	Estimate float64 `json:"estimate"` // seconds
}

// serveStatus is GET /asy/status.
func (s *Server) serveStatus(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	b, _ := json.Marshal(map[string]any{"status": map[string]string{"announcement": s.cfg.Asy.Announcement()}})
	w.Write(append(b, '\n'))
}

// serveWS is /asy and /asy/interactive.
func (s *Server) serveWS(w http.ResponseWriter, r *http.Request, interactive bool) {
	if !s.conns.Enter() {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	defer s.conns.Leave()
	protocols := fileProtocols
	if interactive {
		protocols = interactiveProtocols
	}
	// Browsers connect from other origins by design: the endpoints are
	// public, guarded by the per-client limits, not by origin.
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true, Subprotocols: protocols})
	if err != nil {
		s.log.Debug("upgrade failed", "remote", r.RemoteAddr, "err", err)
		return
	}
	defer c.CloseNow()
	if c.Subprotocol() == "" {
		c.Close(websocket.StatusProtocolError, "no sub-protocol this path speaks: offer "+strings.Join(protocols, " or "))
		return
	}
	c.SetReadLimit(s.cfg.MaxBytes + 64<<10)
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	stop := context.AfterFunc(s.conns.Closing(), func() {
		c.Close(websocket.StatusGoingAway, "server shutting down")
		cancel()
	})
	defer stop()
	ss := &session{srv: s, a: s.cfg.Asy, c: c, ctx: ctx, cancel: cancel, interactive: interactive,
		restore: strings.HasSuffix(c.Subprotocol(), "+restore"), client: perclient.FromContext(r.Context()),
		opts: DefaultOptions, log: s.log.With("remote", r.RemoteAddr, "protocol", c.Subprotocol())}
	ss.serve()
}
