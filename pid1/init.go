package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/pid1/pid1/internal/reaper"
)

// initDuties are what pid1 does as an init, whatever it serves: it
// handles the terminating signals and reaps through one reaper.
type initDuties struct {
	sigs    chan os.Signal
	reaper  *reaper.Reaper
	ctx     context.Context // the reaper's; ends at stop
	reapAll bool
	stop    func()
}

func startInit(subreaper bool, log *slog.Logger) (*initDuties, error) {
	// Signals first: as PID 1, a signal without a handler is ignored, and
	// in a Go program SIGTERM without Notify would kill us ungracefully.
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2)

	reapAll := reaper.IsPID1()
	if subreaper && !reapAll {
		if err := reaper.SetSubreaper(); err != nil {
			signal.Stop(sigs)
			return nil, fmt.Errorf("becoming a child subreaper: %w", err)
		}
		reapAll = true
	}
	rp := reaper.New(reaper.Options{ReapAll: reapAll, Logger: log.With("component", "reaper")})
	ctx, stopReaper := context.WithCancel(context.Background())
	go rp.Run(ctx)
	return &initDuties{sigs: sigs, reaper: rp, ctx: ctx, reapAll: reapAll, stop: func() {
		stopReaper()
		signal.Stop(sigs)
	}}, nil
}
