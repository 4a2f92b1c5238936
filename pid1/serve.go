package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"syscall"
	"time"

	"github.com/pid1/pid1/conman"
	"github.com/pid1/pid1/internal/reaper"
	"github.com/pid1/pid1/pid1/server"
)

// usage heads pid1 -help.
const usage = `pid1 is a development container's init and the server its clients drive it through.

Usage:
  pid1 [flags] [-- CMD ARGS...]   serve the workspace; CMD, if given, is the startup command,
                                  run in the workspace as the workspace's programs are
  pid1 token [flags]              print a token (-url: the IDE's URL, -ws-url: a client's) for a pid1 of the same
                                  -state-dir; pid1 token -help lists its flags
  pid1 keygen -out FILE           write a signing key pair for -token-public-key deployments
  pid1 health                     exit 0 if the pid1 on -listen answers /healthz (health checks)

Every flag can also be set as PID1_<FLAG> (dashes as underscores); the command line wins.

Flags:
`

// runServe runs pid1 until a terminating signal; it returns the exit code.
func runServe(args []string) (int, error) {
	var c config
	fs := flag.NewFlagSet("pid1", flag.ContinueOnError)
	c.serveFlags(fs)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	if err := parse(fs, args); err != nil {
		return 0, err
	}
	startup := fs.Args()
	if i := len(args) - len(startup) - 1; len(startup) > 0 && (i < 0 || args[i] != "--") {
		return 0, fmt.Errorf("unexpected arguments %q (subcommands: token, keygen, engines; a startup command goes after --)", startup)
	}
	log, err := newLogger(c.logLevel, c.logFormat)
	if err != nil {
		return 0, err
	}

	in, err := startInit(c.subreaper, log)
	if err != nil {
		return 0, err
	}
	defer in.stop()
	rp, rctx, sigs, reapAll := in.reaper, in.ctx, in.sigs, in.reapAll

	budget := limitMemory(int64(c.memBudget), log)
	user, err := runAs(c.runAs, log)
	if err != nil {
		return 0, err
	}
	eng := startServeEngines(rctx, c.engines, rp, log)
	srv, err := server.New(server.Options{
		RunAs:     user,
		Workspace: c.workspace, StateDir: c.stateDir, Logger: log, Reaper: rp,
		Storage: c.storage, Restore: c.restore, WorkspaceID: c.workspaceID, Language: c.language,
		AudioDir: c.audioDir, SocketAnyDestination: c.socketAny, ChatScrollbackCommand: c.chatCommand,
		Engine: eng.core(), Asy: eng.asyTasks(), OTLogSyncInterval: c.otLogSync,
		TokenPublicKeys: c.publicKeyFiles(),
		Hub: conman.Config{
			MaxFrameBytes: int64(c.maxFrame), MaxSessions: c.maxSessions, MemoryBudget: budget,
			MaxChannelsPerSession: c.maxChannels, OriginPatterns: c.originList(),
			MaxSessionsPerUser: c.maxUserSessions, MaxProcessChannelsPerUser: c.maxUserProcs,
			IdleChannelTimeout: c.idleChannel, Collectors: eng.collectors(),
		},
	})
	if err != nil {
		eng.shutdown(context.Background())
		return 0, err
	}
	if len(startup) > 0 {
		if err := startCommand(rctx, srv.Jobs(), startup, log); err != nil {
			return 0, err
		}
	}
	ln, err := net.Listen("tcp", c.listen)
	if err != nil {
		return 0, err
	}
	metricsAddr, stopMetrics, err := serveMetrics(c.metricsListen, srv.MetricsHandler())
	if err != nil {
		ln.Close()
		return 0, err
	}
	defer stopMetrics()
	httpSrv := &http.Server{Handler: eng.attach(srv.Handler()), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 2)
	go func() { served <- httpSrv.Serve(ln) }()
	if err := eng.listenOwn(served, log); err != nil {
		return 0, err
	}
	log.Info("pid1 serving", "addr", ln.Addr().String(), "metrics", metricsAddr, "workspace", srv.Workspace(),
		"pid", os.Getpid(), "reap_all", reapAll)
	if c.printURL {
		tok, err := srv.Token(defaultUser(), true, 24*time.Hour)
		switch {
		case err == nil:
			addr := ln.Addr().String()
			fmt.Fprintf(os.Stderr, "\npid1 is ready. Open the IDE in a browser:\n  %s\nor connect a client (conman-repl -url, crosis) with:\n  %s\n\n", ideURL(addr, tok), wsURL(addr, tok))
		case errors.Is(err, server.ErrVerifyOnly):
			log.Info("no URL printed: tokens are minted elsewhere (pid1 token -signing-key FILE)")
		}
	}

	for {
		select {
		case err := <-served:
			return 0, fmt.Errorf("serving: %w", err)
		case sig := <-sigs:
			s := sig.(syscall.Signal)
			forward(rp, s, log)
			if s != syscall.SIGTERM && s != syscall.SIGINT {
				continue
			}
			log.Info("shutting down", "signal", s.String(), "grace", c.grace)
			shutdown([]*http.Server{httpSrv, eng.ownServer()}, rp, c.grace, sigs, log, srv.Shutdown, eng.shutdown)
			return 128 + int(s), nil
		}
	}
}

// forward sends sig to every child process group pid1 knows of.
func forward(rp *reaper.Reaper, sig syscall.Signal, log *slog.Logger) {
	for _, p := range rp.Live() {
		if err := p.SignalGroup(sig); err != nil {
			log.Debug("forwarding signal", "pid", p.Pid, "signal", sig.String(), "err", err)
		}
	}
}

// shutdown is the two-phase stop: stop accepting and let each part
// (the hub's services, the engines) flush and tell its clients (1001)
// within the grace period, then TERM and finally KILL whatever processes
// remain. A second signal skips to the kill.
func shutdown(httpSrvs []*http.Server, rp *reaper.Reaper, grace time.Duration, sigs <-chan os.Signal, log *slog.Logger, parts ...func(context.Context) error) {
	deadline := time.Now().Add(grace)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	go func() {
		select {
		case <-sigs:
			log.Warn("second signal: killing everything now")
			cancel()
		case <-ctx.Done():
		}
	}()
	// Stop accepting; hijacked WebSockets are not waited for here.
	sctx, scancel := context.WithTimeout(ctx, time.Second)
	for _, h := range httpSrvs {
		if h != nil {
			_ = h.Shutdown(sctx)
		}
	}
	scancel()
	for _, part := range parts {
		if err := part(ctx); err != nil && !errors.Is(err, context.Canceled) {
			log.Warn("closing sessions", "err", err)
		}
	}
	rp.Terminate(ctx, time.Until(deadline))
	log.Info("pid1 stopped")
}

func newLogger(level, format string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("-log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: l}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(os.Stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(os.Stderr, opts)), nil
	}
	return nil, fmt.Errorf("-log-format must be text or json, got %q", format)
}
