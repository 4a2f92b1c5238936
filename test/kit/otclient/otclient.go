// Package otclient is an editor's side of the ot service, for tests and
// benchmarks: it keeps a local copy of the text, sends one op at a time
// and buffers the rest, transforms incoming ops past its own, checks every
// packet's version and CRC-32 as the real client does, and catches up
// after a reconnect by fetching what it missed.
package otclient

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/internal/textot"
)

// Editor is one client's view of a shared buffer. Its methods are safe for
// concurrent use.
type Editor struct {
	mu      sync.Mutex
	ch      *client.Channel
	local   *textot.Doc // the text the user sees: server + inflight + pending
	server  *textot.Doc // the text at version, to check CRCs against
	version uint32
	// inflight was sent and not yet acknowledged; pending waits for it.
	inflight, pending textot.Op
	nonce             uint32
	err               error
	acked             chan struct{} // signalled on every ack
	committed         int           // acks received
}

// New returns an editor for the buffer whose otstatus is st, on ch.
func New(ch *client.Channel, st *api.OTStatus) (*Editor, error) {
	e := &Editor{ch: ch, acked: make(chan struct{}, 1)}
	if err := e.reset(st); err != nil {
		return nil, err
	}
	go e.read(ch)
	return e, nil
}

func (e *Editor) reset(st *api.OTStatus) error {
	var err error
	if e.local, err = textot.NewDoc(st.GetContents()); err != nil {
		return err
	}
	e.server, _ = textot.NewDoc(st.GetContents())
	e.version = st.GetVersion()
	return nil
}

// Text is the editor's current text.
func (e *Editor) Text() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.local.String()
}

// Len is the editor's current text length in code points.
func (e *Editor) Len() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.local.Len()
}

// Version is the last server version the editor applied.
func (e *Editor) Version() uint32 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.version
}

// Committed counts the editor's ops the server acknowledged.
func (e *Editor) Committed() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.committed
}

// Err is the first protocol violation the editor saw, if any.
func (e *Editor) Err() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.err
}

// Synced reports whether every local edit was acknowledged.
func (e *Editor) Synced() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.inflight == nil && e.pending == nil
}

// Edit applies op to the local text and sends it (or queues it behind the
// op in flight).
func (e *Editor) Edit(ctx context.Context, op textot.Op) error {
	return e.EditWith(ctx, func(int) textot.Op { return op })
}

// EditWith makes the op gen returns for the current text length (in code
// points) and edits with it, with no remote op in between.
func (e *Editor) EditWith(ctx context.Context, gen func(length int) textot.Op) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	op := gen(e.local.Len())
	if err := e.local.Apply(op); err != nil {
		return err
	}
	if e.pending == nil {
		e.pending = op
	} else {
		c, err := textot.Compose(e.pending, op)
		if err != nil {
			return err
		}
		e.pending = c
	}
	return e.sendLocked(ctx)
}

// sendLocked sends the pending ops if nothing is in flight.
func (e *Editor) sendLocked(ctx context.Context) error {
	if e.inflight != nil || e.pending == nil || e.ch == nil {
		return nil
	}
	e.inflight, e.pending = e.pending, nil
	e.nonce = rand.Uint32() | 1
	return e.sendInflight(ctx)
}

func (e *Editor) sendInflight(ctx context.Context) error {
	pb, err := textot.ToProto(e.inflight)
	if err != nil {
		return err
	}
	return e.ch.Send(ctx, &api.Command{Body: &api.Command_Ot{Ot: &api.OTPacket{
		SpookyVersion: e.version, Op: pb, Nonce: e.nonce}}})
}

// WaitSynced waits until every local edit is acknowledged.
func (e *Editor) WaitSynced(ctx context.Context) error {
	for {
		if err := e.Err(); err != nil {
			return err
		}
		if e.Synced() {
			return nil
		}
		select {
		case <-e.acked:
		case <-time.After(50 * time.Millisecond):
		case <-ctx.Done():
			return fmt.Errorf("waiting for acks: %w", ctx.Err())
		}
	}
}

// WaitVersion waits until the editor applied version v.
func (e *Editor) WaitVersion(ctx context.Context, v uint32) error {
	for {
		if err := e.Err(); err != nil {
			return err
		}
		if e.Version() >= v {
			return nil
		}
		select {
		case <-time.After(5 * time.Millisecond):
		case <-ctx.Done():
			return fmt.Errorf("waiting for version %d (at %d): %w", v, e.Version(), ctx.Err())
		}
	}
}

func (e *Editor) read(ch *client.Channel) {
	for cmd := range ch.Stream() {
		e.mu.Lock()
		if e.ch != ch { // a stale stream after a reconnect
			e.mu.Unlock()
			return
		}
		switch {
		case cmd.GetOt() != nil:
			e.fail(e.receive(cmd.GetOt()))
		case cmd.GetError() != "":
			e.fail(fmt.Errorf("server error: %s", cmd.GetError()))
		}
		e.mu.Unlock()
	}
}

func (e *Editor) fail(err error) {
	if err != nil && e.err == nil {
		e.err = err
	}
}

// receive handles one committed packet: the ack of the op in flight, or
// someone else's op to transform past the local ones.
func (e *Editor) receive(p *api.OTPacket) error {
	if p.GetSpookyVersion() != e.version+1 {
		if p.GetSpookyVersion() <= e.version {
			return nil // already applied (fetched while reconnecting)
		}
		return fmt.Errorf("invalid server version: got %d, expected %d", p.GetSpookyVersion(), e.version+1)
	}
	op, err := textot.FromProto(p.GetOp())
	if err != nil {
		return err
	}
	if e.inflight != nil && p.GetNonce() == e.nonce {
		if got, want := op.String(), e.inflight.String(); got != want {
			return fmt.Errorf("version %d: the ack of our op is %s, but we sent %s", p.GetSpookyVersion(), got, want)
		}
		if err := e.server.Apply(op); err != nil {
			return err
		}
		e.inflight = nil
		e.committed++
		select {
		case e.acked <- struct{}{}:
		default:
		}
	} else {
		if err := e.server.Apply(op); err != nil {
			return fmt.Errorf("version %d: %w", p.GetSpookyVersion(), err)
		}
		remote := op
		for _, mine := range []*textot.Op{&e.inflight, &e.pending} {
			if *mine == nil {
				continue
			}
			r, err := textot.Transform(remote, *mine, textot.Left)
			if err != nil {
				return err
			}
			m, err := textot.Transform(*mine, remote, textot.Right)
			if err != nil {
				return err
			}
			remote, *mine = r, m
		}
		if err := e.local.Apply(remote); err != nil {
			return fmt.Errorf("version %d: applying locally: %w", p.GetSpookyVersion(), err)
		}
	}
	e.version = p.GetSpookyVersion()
	if crc := e.server.CRC32(); crc != p.GetCrc32() {
		return fmt.Errorf("crc32 mismatch at version %d: ours %08x, server's %08x", e.version, crc, p.GetCrc32())
	}
	// After an ack, what was typed meanwhile goes out, based on the
	// version just reached.
	return e.sendLocked(context.Background())
}

// Reconnect moves the editor to ch, a fresh attachment to the same buffer
// whose otstatus is st: it fetches the versions it missed (recognising its
// own op among them), then resends what it still has to send.
func (e *Editor) Reconnect(ctx context.Context, ch *client.Channel, st *api.OTStatus) error {
	e.mu.Lock()
	e.ch = ch
	from := e.version + 1
	e.mu.Unlock()
	if st.GetVersion() >= from {
		r, err := ch.Request(ctx, &api.Command{Body: &api.Command_OtFetchRequest{OtFetchRequest: &api.OTFetchRequest{
			VersionFrom: from, VersionTo: st.GetVersion()}}})
		if err != nil {
			return err
		}
		if r.GetError() != "" {
			return errors.New(r.GetError())
		}
		e.mu.Lock()
		for _, p := range r.GetOtFetchResponse().GetPackets() {
			if err := e.receive(p); err != nil {
				e.fail(err)
				break
			}
		}
		e.mu.Unlock()
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	go e.read(ch)
	if e.err != nil {
		return e.err
	}
	if e.inflight != nil {
		return e.sendInflight(ctx)
	}
	return e.sendLocked(ctx)
}

// Detach stops sending until Reconnect; edits are kept locally.
func (e *Editor) Detach() {
	e.mu.Lock()
	e.ch = nil
	e.mu.Unlock()
}
