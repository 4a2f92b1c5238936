package services

import "context"

// Wrapped is embedded by middleware that wraps a service: it forwards
// every optional event (Attach, Detach, Drain, Close) to the inner service if
// that one wants it, so the middleware overrides only what it handles.
type Wrapped struct{ Service }

func (w Wrapped) Attach(s Session) { Attach(w.Service, s) }
func (w Wrapped) Detach(s Session) { Detach(w.Service, s) }
func (w Wrapped) Close()           { Close(w.Service) }

func (w Wrapped) Drain(ctx context.Context) { Drain(ctx, w.Service) }
