package runners

import (
	"context"
	"errors"

	"github.com/pid1/pid1/sandbox"
)

// ErrUnavailable is returned by Spec for a runner whose toolchain is missing.
var ErrUnavailable = errors.New("runners: language not available here")

// Set is the languages one engine serves, keyed by ATO's runner ids.
type Set struct {
	byID map[string]*Runner
	list []*Runner
}

// Default returns every built-in language, each probed in sb: available when
// its toolchain starts, with the version it reports.
func Default(ctx context.Context, sb *sandbox.Sandbox) *Set {
	return &Set{byID: map[string]*Runner{}}
}

// Lookup finds a runner by id (case-sensitive, like ATO).
func (s *Set) Lookup(id string) (*Runner, bool) {
	r, ok := s.byID[id]
	return r, ok
}

// List returns the runners ordered by id.
func (s *Set) List() []*Runner { return s.list }

// Spec turns a request into a sandbox run: the code and extra files in the
// work directory, the options before the code file, the arguments after
// it, and the input on stdin. A compiled language compiles and runs in the
// same run.
func (r *Runner) Spec(req Request) (sandbox.Spec, error) {
	return sandbox.Spec{}, ErrUnavailable
}

type how struct{}
