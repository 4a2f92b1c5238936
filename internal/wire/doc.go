// Package wire is the frame transport between a goval client and the hub:
// a Conn carries whole messages (one protobuf Command each) and closes
// with a WebSocket close code and reason.
//
// Two implementations: WebSocket wraps a coder/websocket connection, and
// Pipe joins two in-memory ends, so that pid1's own services (shellrun2)
// and tests can be clients of the hub without a socket, an HTTP server or
// a token. The hub and the Go client run the same code over either, as
// hashicorp/yamux runs its session over any io.ReadWriteCloser.
//
// # Concurrency
//
// A Conn has one reader and any number of writers: Read must not be
// called concurrently with itself, Write, Close and CloseNow may be called
// from any goroutine.
package wire

import (
	"context"

	"github.com/coder/websocket"
)

// Conn is one connection carrying whole messages.
type Conn interface {
	// Read returns the next message. Its bytes are valid until the next
	// Read. After the peer closed, Read returns a websocket.CloseError
	// with the peer's code and reason.
	Read(ctx context.Context) (websocket.MessageType, []byte, error)
	// Write sends one message; b may be reused once Write returns.
	Write(ctx context.Context, typ websocket.MessageType, b []byte) error
	// SetReadLimit bounds the size of a message Read accepts; a larger
	// one fails with websocket.ErrMessageTooBig and closes with 1009.
	SetReadLimit(n int64)
	// Close sends a close with code and reason, after the messages
	// already written.
	Close(code websocket.StatusCode, reason string) error
	// CloseNow drops the connection without a close handshake.
	CloseNow() error
}
