package main

import (
	"context"
	"sync"

	"github.com/pid1/pid1/engines"
	"github.com/pid1/pid1/services"
	"github.com/pid1/pid1/services/ato"
)

// lazyEngine is the execution engine of the in-process pid1s, opened on
// the first run (starting a sandbox and probing the languages takes
// seconds, which a session without ato should not pay) and shared by
// every in-process pid1 of this conman-repl, so there is one sandbox.
type lazyEngine struct {
	once sync.Once
	eng  *engines.Engine
	err  error
}

var inProcessEngine ato.Engine = &lazyEngine{}

func (l *lazyEngine) Start(ctx context.Context, req engines.Request) (*engines.Run, error) {
	l.once.Do(func() {
		l.eng, l.err = engines.Open(context.Background(), engines.Setup{})
	})
	if l.err != nil {
		return nil, services.Errorf(services.KindUnavailable, "the execution engine cannot run here: %v", l.err)
	}
	return l.eng.Start(ctx, req)
}
