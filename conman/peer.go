package conman

import (
	"context"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/conman/services"
)

// Dial opens an in-process session for user (Connect) and runs the Go
// client over it, for services that are clients of the hub themselves.
func (h *Hub) Dial(ctx context.Context, user services.User) (services.Peer, error) {
	conn, err := h.Connect(user)
	if err != nil {
		return nil, err
	}
	c, err := client.New(ctx, conn)
	if err != nil {
		return nil, err
	}
	return peer{c}, nil
}

// peer adapts a client to services.Peer.
type peer struct{ *client.Client }

func (p peer) Open(ctx context.Context, service, name string, action api.OpenChannel_Action) (services.PeerChannel, error) {
	ch, err := p.Client.Open(ctx, service, name, action)
	if err != nil {
		return nil, err
	}
	return ch, nil
}
