//go:build linux

package sandbox

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"testing"

	"github.com/pid1/pid1/internal/reaper"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// newTestSandbox returns a Sandbox on a running Reaper, both stopped when
// the test ends.
func newTestSandbox(t testing.TB, cfg Config) *Sandbox {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("the sandbox tests run as root (as CI does)")
	}
	r := reaper.New(reaper.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { r.Run(ctx) })
	cfg.Reaper = r
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	s, err := New(cfg)
	if err != nil {
		cancel()
		wg.Wait()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		r.Terminate(context.Background(), 0)
		cancel()
		wg.Wait()
	})
	return s
}
