// Package terminal builds terminal services (shell, run2, interp2,
// shellrun, shellrun2) on the stack of middleware they share, outermost
// first: scrollback (late joiners see recent output), rateLimit (output
// coalesced into fewer messages), optionally clippy (hints) and a
// service's own output filter, and termed (the pty).
//
// A service is built from a function that receives a Kit: its channel,
// its terminal and the handles of the middleware it may drive (clear the
// scrollback, name the language for hints). These are typed parameters,
// not run-time look-ups, so a terminal service cannot be built without
// what it needs.
package terminal

import (
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/middleware/clippy"
	"github.com/pid1/pid1/middleware/ratelimit"
	"github.com/pid1/pid1/middleware/scrollback"
	"github.com/pid1/pid1/middleware/termed"
)

// Stack says which optional layers a service has.
type Stack struct {
	RateLimit ratelimit.Config
	// Hints are clippy's rules; nil leaves clippy out.
	Hints []clippy.Rule
	// Filter, if set, wraps the channel the pty's output goes to, inside
	// the other layers (interp2 takes its prompt marks out here).
	Filter func(services.Channel) services.Channel
}

// Kit is what a terminal service is built with.
type Kit struct {
	// Channel is where the service sends, through the stack.
	Channel    services.Channel
	Term       termed.Terminal
	Scrollback *scrollback.Recorder
	// Hints is nil when the stack has no rules.
	Hints *clippy.Hints
}

// Build is how a terminal service is made from its Kit.
type Build func(k Kit) (services.Service, error)

// Writes are the commands of the stack that a read-only session may not
// send; a service declares them with its own.
var Writes = termed.Writes

// New is the constructor of the service build makes, on st.
func (st Stack) New(build Build) services.Constructor {
	return func(ch services.Channel) (services.Service, error) {
		rec := scrollback.Wrap(ch)
		lim := ratelimit.Wrap(rec, st.RateLimit)
		var out services.Channel = lim
		var hints *clippy.Hints
		if st.Hints != nil {
			hints = clippy.Wrap(out, st.Hints)
			out = hints
		}
		if st.Filter != nil {
			out = st.Filter(out)
		}
		t, err := termed.Open(out, lim)
		if err != nil {
			return nil, err
		}
		svc, err := build(Kit{Channel: out, Term: t, Scrollback: rec, Hints: hints})
		if err != nil {
			t.Close()
			return nil, err
		}
		return rec.Serve(lim.Serve(t.Serve(svc))), nil
	}
}
