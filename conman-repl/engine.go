package main

import (
	"context"
	"sync"

	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/engines"
	"github.com/pid1/pid1/engines/asy"
	"github.com/pid1/pid1/services/ranna"
)

// lazyEngine is the execution engine of the in-process pid1s, opened on
// the first run (starting a sandbox and probing the languages takes
// seconds, which a session without the engines' services should not
// pay) and shared by every in-process pid1 of this conman-repl, so there
// is one sandbox; inProcessAsy runs asy tasks on it, with one queue and
// one restore cache.
type lazyEngine struct {
	once sync.Once
	eng  *engines.Engine
	err  error
}

var (
	inProcessEngine ranna.Engine = &lazyEngine{}
	// The asy queue takes 8 tasks at once (the sandbox still runs as
	// many at a time as it can): sessions trying asy side by side, and
	// the transcript test's, do not wait for each other's turn.
	inProcessAsy = asy.New(asy.Config{Engine: inProcessEngine, Queue: asy.QueueConfig{Slots: 8}})
)

func (l *lazyEngine) open() {
	l.once.Do(func() {
		l.eng, l.err = engines.Open(context.Background(), engines.Setup{})
	})
}

// Languages are the engine's, or none when it cannot run here.
func (l *lazyEngine) Languages() []engines.Language {
	l.open()
	if l.err != nil {
		return nil
	}
	return l.eng.Languages()
}

func (l *lazyEngine) Start(ctx context.Context, req engines.Request) (*engines.Run, error) {
	l.open()
	if l.err != nil {
		return nil, services.Errorf(services.KindUnavailable, "the execution engine cannot run here: %v", l.err)
	}
	return l.eng.Start(ctx, req)
}
