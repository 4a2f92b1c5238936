package engines

import "context"

// Run is one program running. Its events come from Next; it ends by
// itself, by Kill, or when the context Start was given ends.
type Run struct {
	s      *stream
	cancel func()
}

// Next returns the run's next event, waiting until there is one or ctx
// ends. After the Done event it returns io.EOF.
func (r *Run) Next(ctx context.Context) (Event, error) { return r.s.next(ctx) }

// Kill stops the run: every process it started is killed, and Done
// follows (Result.Killed set). Killing a run that has ended does nothing.
func (r *Run) Kill() { r.cancel() }
