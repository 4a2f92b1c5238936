package conman

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/coder/websocket"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/services"
)

// Hub is the channel multiplexer. Create it with New and mount Handler.
type Hub struct {
	cfg     Config
	log     *slog.Logger
	metrics *metrics

	nextSession atomic.Int32
	nextChannel atomic.Int32

	mu       sync.Mutex
	channels map[int32]*channel
	named    map[string]*channel
	sessions map[int32]*session
	closing  bool
	wg       sync.WaitGroup // sessions and channel actors
}

// New builds a hub from cfg.
func New(cfg Config) *Hub {
	cfg.withDefaults()
	h := &Hub{
		cfg:      cfg,
		log:      cfg.Logger,
		metrics:  newMetrics(),
		channels: make(map[int32]*channel),
		named:    make(map[string]*channel),
		sessions: make(map[int32]*session),
	}
	h.nextSession.Store(1) // the first session is 2: 0 and 1 mean "all" and "conman"
	return h
}

// Handler serves /wsv2/{token} and /healthz. /metrics is served by
// MetricsHandler, meant for a listener of its own (loopback by default),
// since it tells anyone who can reach it how pid1 is used.
func (h *Hub) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /wsv2/{token...}", h.serveWS)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if h.isClosing() {
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	return mux
}

// MetricsHandler serves /metrics (Prometheus text).
func (h *Hub) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h.metrics.handler())
	return mux
}

// Open creates a named channel with no session attached, for services that
// must exist before anyone connects (presence). Such a channel is pinned:
// it lives until the hub shuts down, and TRY_CLOSE or CLOSE from a session
// only detach that session, so anyone can always attach to it.
func (h *Hub) Open(service, name string) error {
	if name == "" {
		return errors.New("a channel pid1 opens itself needs a name to be attached by")
	}
	c, _, err := h.resolve(service, name, api.OpenChannel_ATTACH_OR_CREATE)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.pinned = true
	c.mu.Unlock()
	return nil
}

func (h *Hub) isClosing() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.closing
}

// errRefused is a channel the hub will not open; its text goes to the client.
type errRefused struct{ msg string }

func (e errRefused) Error() string { return e.msg }

// resolve finds or creates the channel an openChan names. created reports
// whether a new instance was built.
func (h *Hub) resolve(service, name string, action api.OpenChannel_Action) (c *channel, created bool, err error) {
	if service == "" {
		return nil, false, errRefused{"openChan needs a service name"}
	}
	desc, ok := h.cfg.Registry.Lookup(service)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		return nil, false, errRefused{"pid1 is shutting down"}
	}
	if c := h.named[name]; name != "" && c != nil {
		switch {
		case action == api.OpenChannel_CREATE:
			// Taking over a name would let anyone hijack a well-known
			// channel such as presencer.
			return nil, false, errRefused{fmt.Sprintf("a channel named %q already exists: ATTACH to it, or CLOSE it first", name)}
		case c.info.Service != service:
			return nil, false, errRefused{fmt.Sprintf("channel %q runs service %q, not %q", name, c.info.Service, service)}
		}
		return c, false, nil
	}
	switch {
	case action == api.OpenChannel_ATTACH && name == "":
		return nil, false, errRefused{"ATTACH needs a channel name"}
	case action == api.OpenChannel_ATTACH:
		return nil, false, errRefused{fmt.Sprintf("no channel named %q to attach to", name)}
	case !ok:
		return nil, false, errRefused{fmt.Sprintf("unknown service %q (pid1 has: %v)", service, h.cfg.Registry.Names())}
	}
	c = newChannel(h, services.Info{ID: h.nextChannel.Add(1), Service: service, Name: name})
	svc, err := desc.New(c)
	if err != nil {
		c.cancel()
		return nil, false, errRefused{fmt.Sprintf("service %s refused the channel: %v", service, err)}
	}
	c.svc = svc
	h.channels[c.info.ID] = c
	if name != "" {
		h.named[name] = c
	}
	h.metrics.channels.WithLabelValues(service).Inc()
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		c.run()
	}()
	c.log.Debug("channel created")
	return c, true, nil
}

// forget drops a destroyed channel from the tables.
func (h *Hub) forget(c *channel) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.channels[c.info.ID] == c {
		delete(h.channels, c.info.ID)
		h.metrics.channels.WithLabelValues(c.info.Service).Dec()
	}
	if c.info.Name != "" && h.named[c.info.Name] == c {
		delete(h.named, c.info.Name)
	}
}

// Shutdown stops accepting sessions, closes every channel (services flush),
// then closes every session with 1001, and waits for them within ctx.
func (h *Hub) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	h.closing = true
	chans := make([]*channel, 0, len(h.channels))
	for _, c := range h.channels {
		chans = append(chans, c)
	}
	sess := make([]*session, 0, len(h.sessions))
	for _, s := range h.sessions {
		sess = append(sess, s)
	}
	h.mu.Unlock()
	for _, c := range chans {
		c.post(c.shutdown)
	}
	for _, c := range chans {
		select {
		case <-c.done:
		case <-ctx.Done():
			return fmt.Errorf("waiting for channel %s to close: %w", c, ctx.Err())
		}
	}
	for _, s := range sess {
		s.closeWith(websocket.StatusGoingAway, "pid1 is shutting down", true)
	}
	done := make(chan struct{})
	go func() { h.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		for _, s := range sess {
			s.cancel()
		}
		return errors.New("sessions did not close within the grace period")
	}
}
