package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/pid1/pid1/engines"
	"github.com/pid1/pid1/engines/asy"
	"github.com/pid1/pid1/engines/endpoints"
	"github.com/pid1/pid1/engines/perclient"
	"github.com/pid1/pid1/internal/reaper"
	"github.com/pid1/pid1/services/ranna"
)

// engineFlags configure the execution engines, in `pid1` (where they are
// on by default) and in `pid1 engines`.
type engineFlags struct {
	enabled bool   // serve only
	listen  string // serve only: a listener of their own

	sandboxDir        string
	cgroupParent      string
	maxRuns, maxQueue int

	connsPerIP, runsPerIP int
	runsPerMinute         float64
	burst                 int
	trustedProxies        string

	asyAnnouncement string
}

func (f *engineFlags) register(fs *flag.FlagSet, serve bool) {
	if serve {
		fs.BoolVar(&f.enabled, "engines", true, "serve the code-execution engines' APIs (ATO's /api/v0, /api/v1, /languages.json; ranna's /v1; asyonline's /asy)")
		fs.StringVar(&f.listen, "engines-listen", "", "serve the engines on this address instead of -listen")
	}
	fs.StringVar(&f.sandboxDir, "engines-sandbox-dir", "", "an existing directory each run's root is mounted on, in the run's own mount namespace (default the temporary directory)")
	fs.StringVar(&f.cgroupParent, "engines-cgroup-parent", "", "the cgroup (relative to each hierarchy's root) runs get their cgroups under (default one of this process's own under its cgroup)")
	fs.IntVar(&f.maxRuns, "engines-max-runs", 0, "runs at once (0: one per CPU)")
	fs.IntVar(&f.maxQueue, "engines-max-queue", 0, "runs waiting for a slot before new ones are refused as busy (0: 4 × max runs)")
	fs.IntVar(&f.connsPerIP, "engines-conns-per-ip", 16, "engine connections at once per client address (0: no limit)")
	fs.IntVar(&f.runsPerIP, "engines-runs-per-ip", 4, "runs at once per client address (0: no limit)")
	fs.Float64Var(&f.runsPerMinute, "engines-runs-per-minute", 30, "sustained runs a minute per client address (0: no limit)")
	fs.IntVar(&f.burst, "engines-burst", 60, "runs a client address may start at once after a quiet spell")
	fs.StringVar(&f.trustedProxies, "engines-trusted-proxies", "", "comma-separated addresses or CIDR prefixes of proxies whose X-Forwarded-For names the client")
	fs.StringVar(&f.asyAnnouncement, "asy-announcement", "", "a notice for asyonline's clients (GET /asy/status, and status messages)")
}

// engineStack is the engines running in this process.
type engineStack struct {
	engine    *engines.Engine
	asy       *asy.Asy // asyonline's queue and restore cache, for /asy and the asy service
	endpoints *endpoints.Endpoints
	listen    string       // -engines-listen
	own       *http.Server // on listen
}

// startEngines starts the sandbox, finds the languages and builds the
// endpoints.
func startEngines(ctx context.Context, f engineFlags, rp *reaper.Reaper, log *slog.Logger) (*engineStack, error) {
	trusted, err := perclient.ParsePrefixes(f.trustedProxies)
	if err != nil {
		return nil, fmt.Errorf("-engines-trusted-proxies: %w", err)
	}
	eng, err := engines.Open(ctx, engines.Setup{
		Reaper: rp, SandboxDir: f.sandboxDir, CgroupParent: f.cgroupParent, MaxRuns: f.maxRuns, MaxQueue: f.maxQueue,
		PerClient: perclient.Config{Concurrent: f.runsPerIP, PerMinute: f.runsPerMinute, Burst: f.burst, What: "runs"},
		Log:       log,
	})
	if err != nil {
		return nil, err
	}
	a := asy.New(asy.Config{Engine: eng, Queue: asy.QueueConfig{Slots: f.maxRuns}, Announcement: f.asyAnnouncement,
		Log: log.With("component", "engines")})
	ep := endpoints.New(endpoints.Config{Engine: eng, Asy: a, Trusted: trusted, Log: log.With("component", "engines"),
		Conns: perclient.Config{Concurrent: f.connsPerIP, What: "connections"}})
	go func() { // the languages' version probes run while pid1 starts serving
		log.Info("engines ready", "sandbox", eng.Sandbox().Mode(), "languages", len(eng.Languages()))
		// Start-up is over: hand its garbage (the sandbox's trial run,
		// the probes' output) back to the system now rather than when the
		// collector's scavenger gets to it, minutes later.
		debug.FreeOSMemory()
	}()
	return &engineStack{engine: eng, asy: a, endpoints: ep}, nil
}

// shutdown closes the engines' connections (1001) within ctx, then kills
// whatever still runs.
func (s *engineStack) shutdown(ctx context.Context) error {
	if s == nil {
		return nil
	}
	err := s.endpoints.Shutdown(ctx)
	s.engine.Close()
	return err
}

// startServeEngines starts the engines beside the workspace services.
// They are on by default, so a host where they cannot run (no user
// namespaces, say) logs why and serves the rest; nil is engines off.
func startServeEngines(ctx context.Context, f engineFlags, rp *reaper.Reaper, log *slog.Logger) *engineStack {
	if !f.enabled {
		return nil
	}
	s, err := startEngines(ctx, f, rp, log)
	if err != nil {
		log.Warn("engines off: they cannot run here (-engines=false turns them off without this warning)", "err", err)
		return nil
	}
	s.listen = f.listen
	return s
}

// attach serves the engines' paths beside h on -listen, unless they have
// a listener of their own.
func (s *engineStack) attach(h http.Handler) http.Handler {
	if s == nil || s.listen != "" {
		return h
	}
	mux := http.NewServeMux()
	s.endpoints.Mount(mux)
	mux.Handle("/", h)
	return mux
}

// listenOwn starts the engines' own listener (-engines-listen), which
// serves /healthz too; its end is sent on served.
func (s *engineStack) listenOwn(served chan<- error, log *slog.Logger) error {
	if s == nil || s.listen == "" {
		return nil
	}
	ln, err := net.Listen("tcp", s.listen)
	if err != nil {
		return fmt.Errorf("-engines-listen: %w", err)
	}
	s.own = &http.Server{Handler: s.handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { served <- s.own.Serve(ln) }()
	log.Info("engines serving", "addr", ln.Addr().String())
	return nil
}

// handler serves the engines alone: their paths and /healthz.
func (s *engineStack) handler() http.Handler {
	mux := http.NewServeMux()
	s.endpoints.Mount(mux)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	return mux
}

// metrics is /metrics of `pid1 engines`, for its private metrics
// listener: the sandbox's series, Go's and the process's.
func (s *engineStack) metrics() http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reg.MustRegister(s.engine.Sandbox().Collectors()...)
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

// collectors are the sandbox's series for the hub's /metrics; none when
// the engines are off.
func (s *engineStack) collectors() []prometheus.Collector {
	if s == nil {
		return nil
	}
	return s.engine.Sandbox().Collectors()
}

func (s *engineStack) ownServer() *http.Server {
	if s == nil {
		return nil
	}
	return s.own
}

// core is the engine for the ato and ranna services, nil when the
// engines are off (an untyped nil: a typed one would look like an
// engine).
func (s *engineStack) core() ranna.Engine {
	if s == nil {
		return nil
	}
	return s.engine
}

// asyTasks is what runs the asy service's tasks, nil when the engines
// are off.
func (s *engineStack) asyTasks() *asy.Asy {
	if s == nil {
		return nil
	}
	return s.asy
}
