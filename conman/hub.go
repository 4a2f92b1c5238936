package conman

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
)

// Hub is the channel multiplexer. Create it with New and mount Handler.
type Hub struct {
	cfg     Config
	log     *slog.Logger
	metrics *metrics
	budget  *budget

	nextSession atomic.Int32
	nextChannel atomic.Int32

	mu       sync.Mutex
	channels map[int32]*channel
	named    map[string]*channel
	building map[string]chan struct{} // names whose service is being constructed; closed when done
	// userSessions and userProcs count each user's sessions and open
	// channels running a process they created, for the per-user limits.
	userSessions map[uint32]int
	userProcs    map[uint32]int
	sessions     map[int32]*session
	closing      bool
	// announceMu orders announcements with greetings (Announce); it is
	// taken before mu.
	announceMu sync.Mutex
	wg         sync.WaitGroup // sessions and channel actors
	owned      sync.WaitGroup // goroutines services started with Channel.Go
}

// New builds a hub from cfg.
func New(cfg Config) *Hub {
	cfg.withDefaults()
	h := &Hub{
		cfg:      cfg,
		log:      cfg.Logger,
		metrics:  newMetrics(cfg.Collectors),
		budget:   newBudget(cfg.MemoryBudget, cfg.MemoryBudget/2),
		channels: make(map[int32]*channel),
		named:    make(map[string]*channel),
		building: make(map[string]chan struct{}),

		userSessions: make(map[uint32]int),
		userProcs:    make(map[uint32]int),
		sessions:     make(map[int32]*session),
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
	c, _, err := h.resolve(service, name, api.OpenChannel_ATTACH_OR_CREATE, pid1User)
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

// pid1User is who the channels pid1 opens itself (Hub.Open) belong to.
var pid1User = services.User{Name: "pid1", CanWrite: true}

// resolve finds or creates the channel an openChan names. created reports
// whether a new instance was built. A session that may not write may not
// create a channel whose service starts a process, and a user may have
// only so many of those open.
//
// The service is constructed outside the hub's lock (it may fork a shell),
// while its name is reserved: another openChan for the same name waits
// for the construction to end and then attaches to (or is refused) the
// outcome, so two clients never build two channels of one name.
func (h *Hub) resolve(service, name string, action api.OpenChannel_Action, user services.User) (c *channel, created bool, err error) {
	if service == "" {
		return nil, false, errRefused{"openChan needs a service name"}
	}
	desc, ok := h.cfg.Registry.Lookup(service)
	h.mu.Lock()
	for {
		if h.closing {
			h.mu.Unlock()
			return nil, false, errRefused{"pid1 is shutting down"}
		}
		building := h.building[name]
		if name == "" || building == nil {
			break
		}
		h.mu.Unlock()
		<-building
		h.mu.Lock()
	}
	if c := h.named[name]; name != "" && c != nil {
		defer h.mu.Unlock()
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
	var refusal string
	switch {
	case action == api.OpenChannel_ATTACH && name == "":
		refusal = "ATTACH needs a channel name"
	case action == api.OpenChannel_ATTACH:
		refusal = fmt.Sprintf("no channel named %q to attach to", name)
	case !ok:
		refusal = fmt.Sprintf("unknown service %q (pid1 has: %v)", service, h.cfg.Registry.Names())
	case desc.Starts && !user.CanWrite:
		refusal = services.ReadOnly(fmt.Sprintf("starting a %s channel (attach to one a writer opened)", service)).Error()
	case desc.Starts && h.userProcs[user.ID] >= h.cfg.MaxProcessChannelsPerUser:
		refusal = fmt.Sprintf("too many open channels running a process for user %s (limit %d): close some (closeChan CLOSE)",
			user.Name, h.cfg.MaxProcessChannelsPerUser)
	}
	if refusal != "" {
		h.mu.Unlock()
		return nil, false, errRefused{refusal}
	}
	built := make(chan struct{})
	if name != "" {
		h.building[name] = built
	}
	if desc.Starts {
		h.userProcs[user.ID]++ // held while building, so a burst cannot pass the limit
	}
	h.mu.Unlock()

	c = newChannel(h, services.Info{ID: h.nextChannel.Add(1), Service: service, Name: name}, desc)
	c.owner = user.ID
	svc, err := desc.New(c)

	h.mu.Lock()
	defer h.mu.Unlock()
	if name != "" {
		delete(h.building, name)
	}
	close(built)
	switch {
	case err != nil:
		h.uncount(c)
		c.abandon(nil)
		return nil, false, errRefused{fmt.Sprintf("service %s refused the channel: %v", service, err)}
	case h.closing:
		h.uncount(c)
		c.abandon(svc)
		return nil, false, errRefused{"pid1 is shutting down"}
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

// uncount gives back c's place in its owner's count of process channels.
// Call with h.mu held.
func (h *Hub) uncount(c *channel) {
	if !c.desc.Starts {
		return
	}
	if h.userProcs[c.owner]--; h.userProcs[c.owner] <= 0 {
		delete(h.userProcs, c.owner)
	}
}

// cutLargest cuts off the session holding the most of the memory budget,
// unless what the sessions not already going away hold fits in it.
func (h *Hub) cutLargest() {
	h.mu.Lock()
	var largest *session
	var live int64
	for _, s := range h.sessions {
		select {
		case <-s.closing:
			continue // its bytes come back as its writer ends
		default:
		}
		n := s.held.Load()
		live += n
		if largest == nil || n > largest.held.Load() {
			largest = s
		}
	}
	h.mu.Unlock()
	if largest != nil && live > h.budget.limit {
		largest.cutOff(fmt.Sprintf("slow client: pid1's memory budget for output (%d MiB) is full and this session holds the most of it (%d MiB)",
			h.budget.limit>>20, largest.held.Load()>>20))
	}
}

// forget drops a destroyed channel from the tables.
func (h *Hub) forget(c *channel) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.channels[c.info.ID] == c {
		delete(h.channels, c.info.ID)
		h.metrics.channels.WithLabelValues(c.info.Service).Dec()
		h.uncount(c)
	}
	if c.info.Name != "" && h.named[c.info.Name] == c {
		delete(h.named, c.info.Name)
	}
}

// Shutdown ends the hub in two phases within ctx. It stops accepting
// sessions and channels, then drains every channel (services ask their
// programs to end and write out what they hold; see services.Drainer) for
// most of the time left, then closes every channel (what is left is
// killed), waits for the goroutines services started, and closes every
// session with 1001.
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

	dctx, cancel := drainContext(ctx)
	drained := make([]chan struct{}, len(chans))
	for i, c := range chans {
		drained[i] = make(chan struct{})
		if !c.post(func() { c.drain(dctx); close(drained[i]) }) {
			close(drained[i])
		}
	}
	for i, c := range chans {
		select {
		case <-drained[i]:
		case <-c.done:
		case <-dctx.Done():
		}
	}
	cancel()

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
	if !waitFor(ctx, &h.owned) {
		return errors.New("services' goroutines did not end within the grace period")
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

// drainContext is the part of ctx's time the drain phase may use: all but
// a fifth of it (at most a second), which is left for closing.
func drainContext(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return context.WithTimeout(ctx, 5*time.Second)
	}
	keep := min(time.Until(deadline)/5, time.Second)
	return context.WithDeadline(ctx, deadline.Add(-keep))
}

// waitFor waits for wg within ctx.
func waitFor(ctx context.Context, wg *sync.WaitGroup) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-ctx.Done():
		return false
	}
}
