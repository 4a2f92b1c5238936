package packager2

import (
	"context"
	"errors"
	"fmt"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
)

// ensureRef is the ref of the ensurePackages that EnsureBeforeRun sends.
const ensureRef = "pid1-ensure-before-run"

// EnsureBeforeRun is what run2 and interp2 call before a run when the
// workspace's .replit asks for it ([packager.features] guessImports):
// through a session of pid1's own (dial), it sends `ensurePackages {
// install: true }` on the shared packager2 channel, as a client would, and
// waits for its answer, passing each piece of the tools' output to out on
// the way. Everyone attached to packager2 sees the run as usual. The
// error is the tool's own message. Cancelling ctx closes the session, and
// the ensurePackages stops with its sender: dropped if it still waits its
// turn, its tool killed and the spec and lock files put back if it runs.
// An operation someone else asked for goes on.
func EnsureBeforeRun(ctx context.Context, dial services.Dialer, out func(text string)) error {
	peer, err := dial(ctx)
	if err != nil {
		return fmt.Errorf("packager2: %w", err)
	}
	defer peer.Close()
	ch, err := peer.Open(ctx, "packager2", "packager2", api.OpenChannel_ATTACH_OR_CREATE)
	if err != nil {
		return fmt.Errorf("packager2: %w", err)
	}
	req := &api.Command{Ref: ensureRef, Body: &api.Command_EnsurePackages{EnsurePackages: &api.EnsurePackages{Install: true}}}
	if err := ch.Send(ctx, req); err != nil {
		return fmt.Errorf("packager2: %w", err)
	}
	// Everything the channel sends this session, in order: the output of
	// the run, then the answer, which carries the ref.
	running := false
	for {
		select {
		case cmd, ok := <-ch.Stream():
			if !ok {
				return errors.New("packager2: the channel closed before it answered")
			}
			switch b := cmd.Body.(type) {
			case *api.Command_State:
				running = b.State == api.State_Running
			case *api.Command_Output:
				if running {
					out(b.Output)
				}
			}
			if cmd.Ref != ensureRef {
				continue
			}
			if e := cmd.GetError(); e != "" {
				return errors.New(e)
			}
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
