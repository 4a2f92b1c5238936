package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"syscall"
	"time"
)

// runEngines is `pid1 engines`: the execution engines alone, with no
// workspace, no services and no state, so that any number of replicas
// can serve behind a load balancer. It is still a proper init (reaping,
// signals, graceful stop). It returns the exit code.
func runEngines(args []string) (int, error) {
	var (
		f                   engineFlags
		listen, metrics     string
		subreaper           bool
		grace               time.Duration
		logLevel, logFormat string
	)
	fs := flag.NewFlagSet("pid1 engines", flag.ContinueOnError)
	fs.StringVar(&listen, "listen", "127.0.0.1:8283", "address to serve on")
	fs.StringVar(&metrics, "metrics-listen", "127.0.0.1:9283", "address to serve /metrics on (empty: no metrics listener)")
	fs.BoolVar(&subreaper, "subreaper", false, "reap orphans as a child subreaper when not PID 1")
	fs.DurationVar(&grace, "grace", 5*time.Second, "shutdown grace period before SIGKILL")
	fs.StringVar(&logLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&logFormat, "log-format", "text", "text or json")
	f.register(fs, false)
	if err := parse(fs, args); err != nil {
		return 0, err
	}
	if fs.NArg() > 0 {
		return 0, fmt.Errorf("pid1 engines takes no arguments, got %q", fs.Args())
	}
	log, err := newLogger(logLevel, logFormat)
	if err != nil {
		return 0, err
	}
	in, err := startInit(subreaper, log)
	if err != nil {
		return 0, err
	}
	defer in.stop()
	eng, err := startEngines(in.ctx, f, in.reaper, log)
	if err != nil {
		return 0, fmt.Errorf("starting the engines: %w", err)
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		eng.shutdown(in.ctx)
		return 0, err
	}
	metricsAddr, stopMetrics, err := serveMetrics(metrics, eng.metrics())
	if err != nil {
		ln.Close()
		eng.shutdown(in.ctx)
		return 0, err
	}
	defer stopMetrics()
	httpSrv := &http.Server{Handler: eng.handler(), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- httpSrv.Serve(ln) }()
	log.Info("pid1 engines serving", "addr", ln.Addr().String(), "metrics", metricsAddr, "pid", os.Getpid(), "reap_all", in.reapAll)
	for {
		select {
		case err := <-served:
			return 0, fmt.Errorf("serving: %w", err)
		case sig := <-in.sigs:
			s := sig.(syscall.Signal)
			forward(in.reaper, s, log)
			if s != syscall.SIGTERM && s != syscall.SIGINT {
				continue
			}
			log.Info("shutting down", "signal", s.String(), "grace", grace)
			shutdown([]*http.Server{httpSrv}, in.reaper, grace, in.sigs, log, eng.shutdown)
			return 128 + int(s), nil
		}
	}
}
