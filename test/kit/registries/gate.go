package registries

import "sync"

// gate holds the slow packages until released.
type gate struct {
	mu      sync.Mutex
	held    chan struct{} // closed on release; nil while nothing holds
	started chan struct{} // closed when something waits
	begin   *sync.Once
	end     *sync.Once
}

func (g *gate) hold() (<-chan struct{}, func()) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.held, g.started, g.begin, g.end = make(chan struct{}), make(chan struct{}), &sync.Once{}, &sync.Once{}
	held, end := g.held, g.end
	return g.started, func() { end.Do(func() { close(held) }) }
}

// wait blocks while the gate is held, after saying it waits.
func (g *gate) wait() {
	g.mu.Lock()
	held, started, begin := g.held, g.started, g.begin
	g.mu.Unlock()
	if held == nil {
		return
	}
	begin.Do(func() { close(started) })
	<-held
}

func (g *gate) release() {
	g.mu.Lock()
	held, end := g.held, g.end
	g.mu.Unlock()
	if held != nil {
		end.Do(func() { close(held) })
	}
}
