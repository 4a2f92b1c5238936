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
	"os/signal"
	"syscall"
	"time"

	"github.com/pid1/pid1/conman"
	"github.com/pid1/pid1/internal/reaper"
	"github.com/pid1/pid1/pid1/server"
)

// runServe runs pid1 until a terminating signal; it returns the exit code.
func runServe(args []string) (int, error) {
	var c config
	fs := flag.NewFlagSet("pid1", flag.ContinueOnError)
	c.serveFlags(fs)
	if err := parse(fs, args); err != nil {
		return 0, err
	}
	startup := fs.Args()
	if i := len(args) - len(startup) - 1; len(startup) > 0 && (i < 0 || args[i] != "--") {
		return 0, fmt.Errorf("unexpected arguments %q (subcommands: token, keygen; a startup command goes after --)", startup)
	}
	log, err := newLogger(c.logLevel, c.logFormat)
	if err != nil {
		return 0, err
	}

	// Signals first: as PID 1, a signal without a handler is ignored, and
	// in a Go program SIGTERM without Notify would kill us ungracefully.
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2)
	defer signal.Stop(sigs)

	reapAll := reaper.IsPID1()
	if c.subreaper && !reapAll {
		if err := reaper.SetSubreaper(); err != nil {
			return 0, fmt.Errorf("becoming a child subreaper: %w", err)
		}
		reapAll = true
	}
	rp := reaper.New(reaper.Options{ReapAll: reapAll, Logger: log.With("component", "reaper")})
	rctx, stopReaper := context.WithCancel(context.Background())
	defer stopReaper()
	go rp.Run(rctx)

	srv, err := server.New(server.Options{
		Workspace: c.workspace, StateDir: c.stateDir, Logger: log, Reaper: rp,
		Storage: c.storage, Restore: c.restore, WorkspaceID: c.workspaceID, Language: c.language,
		TokenPublicKeys: c.publicKeyFiles(),
		Hub: conman.Config{
			MaxFrameBytes: c.maxFrame, MaxSessions: c.maxSessions,
			MaxChannelsPerSession: c.maxChannels, OriginPatterns: c.originList(),
			MaxSessionsPerUser: c.maxUserSessions, MaxProcessChannelsPerUser: c.maxUserProcs,
			IdleChannelTimeout: c.idleChannel,
		},
	})
	if err != nil {
		return 0, err
	}
	if len(startup) > 0 {
		if err := startCommand(rctx, rp, startup, srv.Workspace(), log); err != nil {
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
	httpSrv := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- httpSrv.Serve(ln) }()
	log.Info("pid1 serving", "addr", ln.Addr().String(), "metrics", metricsAddr, "workspace", srv.Workspace(),
		"pid", os.Getpid(), "reap_all", reapAll)
	if c.printURL {
		tok, err := srv.Token(defaultUser(), true, 24*time.Hour)
		switch {
		case err == nil:
			fmt.Fprintf(os.Stderr, "\npid1 is ready. Connect with:\n  %s\n\n", wsURL(ln.Addr().String(), tok))
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
			shutdown(httpSrv, srv, rp, c.grace, sigs, log)
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

// shutdown is the two-phase stop: stop accepting and let services flush
// and clients hear 1001 within the grace period, then TERM and finally KILL
// whatever processes remain. A second signal skips to the kill.
func shutdown(httpSrv *http.Server, srv *server.Server, rp *reaper.Reaper, grace time.Duration, sigs <-chan os.Signal, log *slog.Logger) {
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
	_ = httpSrv.Shutdown(sctx)
	scancel()
	if err := srv.Shutdown(ctx); err != nil && !errors.Is(err, context.Canceled) {
		log.Warn("closing sessions", "err", err)
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
