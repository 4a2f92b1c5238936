package registries

import "sync"

// gates hold the slow packages until released, one gate per ecosystem
// ("npm", "pip", "go"), so that tests of different ecosystems may hold
// theirs at once.
type gates struct {
	mu sync.Mutex
	by map[string]*gate
}

type gate struct {
	held    chan struct{} // closed on release
	started chan struct{} // closed when something waits
	begin   sync.Once
	end     sync.Once
}

func (g *gate) release() { g.end.Do(func() { close(g.held) }) }

func (gs *gates) hold(kind string) (<-chan struct{}, func()) {
	gs.mu.Lock()
	defer gs.mu.Unlock()
	if gs.by == nil {
		gs.by = map[string]*gate{}
	}
	if old := gs.by[kind]; old != nil {
		old.release()
	}
	g := &gate{held: make(chan struct{}), started: make(chan struct{})}
	gs.by[kind] = g
	return g.started, g.release
}

// wait blocks while kind's gate is held, after saying it waits.
func (gs *gates) wait(kind string) {
	gs.mu.Lock()
	g := gs.by[kind]
	gs.mu.Unlock()
	if g == nil {
		return
	}
	g.begin.Do(func() { close(g.started) })
	<-g.held
}

func (gs *gates) releaseAll() {
	gs.mu.Lock()
	defer gs.mu.Unlock()
	for _, g := range gs.by {
		g.release()
	}
}
