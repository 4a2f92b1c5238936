package ports

import (
	"context"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// Port is a port a workspace program listens on.
type Port struct {
	Addr    netip.AddrPort // the address and port listened on (0.0.0.0 or :: for all)
	PID     int
	Comm    string
	Cmdline []string
	Chain   []int // PID, its parent, ... up to pid1's child
	Closed  bool  // in a change: the port is no longer listened on
}

// Config configures a Watcher.
type Config struct {
	// Interval between looks; zero means DefaultInterval.
	Interval time.Duration
	// Changed is called with each change, in order, on the watcher's
	// goroutine.
	Changed func(Port)
	Logger  *slog.Logger
	// Proc is the proc file system; "" means /proc. Self is the pid
	// whose descendants count as the workspace's; 0 means this process.
	Proc string
	Self int
	// Owns, if set, narrows the workspace's processes to those whose
	// ancestor that is Self's child it accepts (the processes one pid1
	// server started, when several share a process, as in tests).
	Owns func(child int) bool
}

// DefaultInterval is how often the watcher looks.
const DefaultInterval = time.Second

// Watcher watches the listening TCP ports.
type Watcher struct {
	cfg    Config
	cancel context.CancelFunc
	done   chan struct{}

	mu   sync.Mutex
	open map[uint64]Port // by socket inode

	foreign map[uint64]bool // listening sockets not the workspace's (the watcher's goroutine only)
}

// Start looks once (so Open is right at once) and then every interval.
func Start(cfg Config) *Watcher {
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.Proc == "" {
		cfg.Proc = "/proc"
	}
	if cfg.Self == 0 {
		cfg.Self = os.Getpid()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Changed == nil {
		cfg.Changed = func(Port) {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &Watcher{cfg: cfg, cancel: cancel, done: make(chan struct{}), open: make(map[uint64]Port), foreign: make(map[uint64]bool)}
	w.look()
	go w.run(ctx)
	return w
}

// Open lists the ports listened on now, by port then address.
func (w *Watcher) Open() []Port {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]Port, 0, len(w.open))
	for _, p := range w.open {
		out = append(out, p)
	}
	sortPorts(out)
	return out
}

// Close stops watching.
func (w *Watcher) Close() {
	w.cancel()
	<-w.done
}

func (w *Watcher) run(ctx context.Context) {
	defer close(w.done)
	t := time.NewTicker(w.cfg.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			w.look()
		}
	}
}

// look reads the tables and reports what changed.
func (w *Watcher) look() {
	var ls []listener
	for _, name := range []string{"tcp", "tcp6"} {
		f, err := os.Open(filepath.Join(w.cfg.Proc, "net", name))
		if err != nil {
			continue // no IPv6, say
		}
		got, err := parseTable(f)
		f.Close()
		if err != nil {
			w.cfg.Logger.Warn("ports: reading the socket table", "table", name, "err", err)
			return
		}
		ls = append(ls, got...)
	}
	now := make(map[uint64]netip.AddrPort, len(ls))
	for _, l := range ls {
		now[l.inode] = l.addr
	}
	w.mu.Lock()
	var closed []Port
	for ino, p := range w.open {
		if _, still := now[ino]; !still {
			delete(w.open, ino)
			p.Closed = true
			closed = append(closed, p)
		}
	}
	unknown := make(map[uint64]bool)
	for ino := range now {
		if _, known := w.open[ino]; !known && !w.foreign[ino] {
			unknown[ino] = true
		}
	}
	w.mu.Unlock()
	for ino := range w.foreign {
		if _, still := now[ino]; !still {
			delete(w.foreign, ino)
		}
	}

	var opened []Port
	if len(unknown) > 0 {
		// A socket listens only after its process made it, so one whose
		// owner is not found among pid1's descendants now is not the
		// workspace's: it is not looked up again while it listens.
		owners := findOwners(w.cfg.Proc, w.cfg.Self, unknown)
		w.mu.Lock()
		for ino := range unknown {
			o, ours := owners[ino]
			if ours && w.cfg.Owns != nil {
				ours = w.cfg.Owns(o.chain[len(o.chain)-1])
			}
			if !ours {
				w.foreign[ino] = true
				continue
			}
			p := Port{Addr: now[ino], PID: o.pid, Comm: o.comm, Cmdline: o.cmdline, Chain: o.chain}
			w.open[ino] = p
			opened = append(opened, p)
		}
		w.mu.Unlock()
	}
	sortPorts(closed)
	sortPorts(opened)
	for _, p := range closed {
		w.cfg.Logger.Info("ports: closed", "addr", p.Addr.String(), "pid", p.PID, "comm", p.Comm)
		w.cfg.Changed(p)
	}
	for _, p := range opened {
		w.cfg.Logger.Info("ports: open", "addr", p.Addr.String(), "pid", p.PID, "comm", p.Comm)
		w.cfg.Changed(p)
	}
}

func sortPorts(ps []Port) {
	slices.SortFunc(ps, func(a, b Port) int {
		if c := int(a.Addr.Port()) - int(b.Addr.Port()); c != 0 {
			return c
		}
		return a.Addr.Addr().Compare(b.Addr.Addr())
	})
}
