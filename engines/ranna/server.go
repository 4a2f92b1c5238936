package ranna

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"sync"
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

// SandboxInfo is what GET /v1/info says of the sandbox (ranna: "docker"
// and its version).
type SandboxInfo struct {
	Type    string `json:"type"`
	Version string `json:"version"`
}

// Config configures a Server.
type Config struct {
	Engine Engine
	// Limits bound each run; zero fields take DefaultLimits'.
	Limits  Limits
	Sandbox SandboxInfo
	// MaxRunsPerConn is how many runs one connection may have going at
	// once (default 8); the per-client limits of the engine apply too.
	MaxRunsPerConn int
	// Idle is how long a connection with no run going may send nothing
	// before it is closed (default 5 minutes).
	Idle time.Duration
	// WriteTimeout bounds each message to a client (default 30 s).
	WriteTimeout time.Duration
	Log          *slog.Logger
}

// Server serves ranna's API.
type Server struct {
	cfg   Config
	log   *slog.Logger
	specs func() *Specs
	conns *engines.Conns
}

// New makes a Server.
func New(cfg Config) *Server {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Limits.Timeout <= 0 {
		cfg.Limits.Timeout = DefaultLimits.Timeout
	}
	if cfg.Limits.OutputCap <= 0 {
		cfg.Limits.OutputCap = DefaultLimits.OutputCap
	}
	if cfg.MaxRunsPerConn <= 0 {
		cfg.MaxRunsPerConn = 8
	}
	if cfg.Idle <= 0 {
		cfg.Idle = 5 * time.Minute
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 30 * time.Second
	}
	if cfg.Sandbox.Type == "" {
		cfg.Sandbox.Type = "pid1"
	}
	// The languages are fixed once the engine is open.
	specs := sync.OnceValue(func() *Specs { return NewSpecs(cfg.Engine.Languages()) })
	return &Server{cfg: cfg, log: cfg.Log.With("engine", "ranna"), specs: specs, conns: engines.NewConns()}
}

// Register adds ranna's endpoints to mux.
func (s *Server) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/ws", s.serveWS)
	mux.HandleFunc("POST /v1/exec", s.serveExec)
	mux.HandleFunc("GET /v1/spec", s.serveSpec)
	mux.HandleFunc("GET /v1/info", s.serveInfo)
	mux.HandleFunc("OPTIONS /v1/", s.servePreflight)
	mux.HandleFunc("/v1/", s.serveNotFound)
}

// Shutdown closes every connection with 1001, which kills its runs, and
// waits for them to finish or ctx to end.
func (s *Server) Shutdown(ctx context.Context) error { return s.conns.Shutdown(ctx) }

// readLimit is the largest operation a client may send.
const readLimit = 1 << 20

// accept upgrades a request to a WebSocket that lives until the client
// goes away or Shutdown; its context ends with it.
func (s *Server) accept(w http.ResponseWriter, r *http.Request) (*websocket.Conn, context.Context, func(), bool) {
	if !s.conns.Enter() {
		writeError(w, &Error{503, "shutting down"})
		return nil, nil, nil, false
	}
	// Browsers connect from other origins by design: the endpoints are
	// public, guarded by the per-client limits, not by origin.
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

func clientOf(r *http.Request) string { return perclient.FromContext(r.Context()) }

// NewRunID is a run's id: 64 hex digits, as ranna's (Docker's) are.
func NewRunID() string {
	var b [32]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
