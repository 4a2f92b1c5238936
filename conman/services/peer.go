package services

import (
	"context"

	"github.com/pid1/pid1/api"
)

// Peer is a session of pid1's own on its hub, in process: a service that
// uses other channels as a client would (shellrun2 attaching to the
// shared run2 and interp2 channels) goes through one, so it sees exactly
// what every other client of those channels sees.
type Peer interface {
	// Open sends openChan and waits for its openChanRes.
	Open(ctx context.Context, service, name string, action api.OpenChannel_Action) (PeerChannel, error)
	// Close ends the session; its channels are detached.
	Close() error
}

// PeerChannel is a channel a Peer opened.
type PeerChannel interface {
	// Send sends cmd on the channel without waiting.
	Send(ctx context.Context, cmd *api.Command) error
	// Request sends cmd with a fresh ref and returns the reply.
	Request(ctx context.Context, cmd *api.Command) (*api.Command, error)
	// Stream delivers every command the channel sends to this session, in
	// order; it is closed when the channel or the session ends.
	Stream() <-chan *api.Command
}

// Dialer opens a Peer.
type Dialer func(ctx context.Context) (Peer, error)

// EnsurePackages installs what the workspace's code imports, passing the
// tools' output to out as it comes: what run2 and interp2 call before a
// run when the workspace's .replit asks for it (pid1 gives
// packager2.EnsureBeforeRun, through a Peer). Cancelling ctx stops the
// install as well, if it was started for this call.
type EnsurePackages func(ctx context.Context, out func(text string)) error
