package conman

import "github.com/pid1/pid1/api"

// Announce sends cmd on channel 0 to every session that has had its
// greeting (Config.Greeting): news about the container, such as a port a
// program opened. A session that connects meanwhile learns the state from
// its greeting, so it misses nothing (it may hear of a change twice).
func (h *Hub) Announce(cmd *api.Command) {
	h.announceMu.Lock()
	defer h.announceMu.Unlock()
	h.mu.Lock()
	to := make([]*session, 0, len(h.sessions))
	for _, s := range h.sessions {
		if s.greeted {
			to = append(to, s)
		}
	}
	h.mu.Unlock()
	for _, s := range to {
		s.sendControl(cmd)
	}
}

// greet sends s the greeting after READY and lets announcements reach it.
func (h *Hub) greet(s *session) {
	h.announceMu.Lock()
	defer h.announceMu.Unlock()
	if h.cfg.Greeting != nil {
		for _, cmd := range h.cfg.Greeting() {
			s.sendControl(cmd)
		}
	}
	h.mu.Lock()
	s.greeted = true
	h.mu.Unlock()
}
