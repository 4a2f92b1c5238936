package endpoints

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"

	"github.com/pid1/pid1/engines"
	"github.com/pid1/pid1/engines/asy"
	"github.com/pid1/pid1/engines/ato"
	"github.com/pid1/pid1/engines/perclient"
	"github.com/pid1/pid1/engines/ranna"
)

// Config configures the endpoints.
type Config struct {
	Engine *engines.Engine
	// Asy runs asyonline's tasks (its queue and restore cache), shared
	// with the asy channel service; nil makes one over Engine.
	Asy *asy.Asy
	// Conns limits each client's connections at once (and a minute).
	Conns perclient.Config
	// Trusted are the proxies whose X-Forwarded-For names the client.
	Trusted []netip.Prefix
	Log     *slog.Logger
}

// Endpoints are the engines' native APIs.
type Endpoints struct {
	ato     *ato.Server
	ranna   *ranna.Server
	asy     *asy.Server
	handler http.Handler
}

// paths are the patterns the engines own, for mounting beside other
// handlers on one listener; none collides with goval's /wsv2/.
var paths = []string{
	"/api/",           // ATO: /api/v0/ws/execute, /api/v1/ws/execute, /api/v0/metadata
	"/languages.json", // ATO
	"/v1/",            // ranna: /v1/ws, /v1/exec, /v1/spec, /v1/info
	"/asy",            // asyonline: /asy, /asy/interactive, /asy/status
	"/asy/",
}

// New builds the endpoints.
func New(cfg Config) *Endpoints {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Conns.What == "" {
		cfg.Conns.What = "connections"
	}
	if cfg.Asy == nil {
		cfg.Asy = asy.New(asy.Config{Engine: cfg.Engine, Log: cfg.Log})
	}
	e := &Endpoints{
		ato: ato.New(ato.Config{Engine: cfg.Engine, Log: cfg.Log}),
		ranna: ranna.New(ranna.Config{Engine: cfg.Engine, Log: cfg.Log,
			Sandbox: ranna.SandboxInfo{Type: "pid1", Version: cfg.Engine.Sandbox().Mode()}}),
		asy: asy.NewServer(asy.ServerConfig{Asy: cfg.Asy, Log: cfg.Log}),
	}
	mux := http.NewServeMux()
	e.ato.Register(mux)
	e.ranna.Register(mux)
	e.asy.Register(mux)
	e.handler = perclient.Middleware(perclient.New(cfg.Conns), cfg.Trusted, mux)
	return e
}

// Handler serves the engines' paths (and 404 for the rest).
func (e *Endpoints) Handler() http.Handler { return e.handler }

// Mount routes the engines' paths on mux to the endpoints.
func (e *Endpoints) Mount(mux *http.ServeMux) {
	for _, p := range paths {
		mux.Handle(p, e.handler)
	}
}

// Shutdown closes every engine connection (1001), which kills its run,
// and waits for them until ctx ends.
func (e *Endpoints) Shutdown(ctx context.Context) error {
	return errors.Join(e.ato.Shutdown(ctx), e.ranna.Shutdown(ctx), e.asy.Shutdown(ctx))
}
