package conman

import (
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/internal/wire"
)

// Connect opens a session for user over an in-memory pipe and returns the
// client's end, on which the hub's first message is containerState READY,
// as on a WebSocket. It is how pid1's own services (shellrun2 attaching to
// the shared run2 channel) and tests without a socket are clients of the
// hub: no listener, no HTTP, no token. The session counts against
// MaxSessions and ends when the returned end is closed or the hub shuts
// down.
func (h *Hub) Connect(user services.User) (wire.Conn, error) {
	s, err := h.admit(user)
	if err != nil {
		return nil, err
	}
	server, client := wire.Pipe()
	s.log.Debug("in-process session connected")
	go func() {
		defer h.leave(s)
		h.run(s, server)
	}()
	return client, nil
}
