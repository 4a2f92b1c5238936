package registries

import "sync"

// gates hold the slow packages until released, one gate per ecosystem
// ("npm", "pip", "go"), so that tests of different ecosystems may hold
// theirs at once; tests holding the same ecosystem's take turns.
type gates struct {
	mu   sync.Mutex
	by   map[string]*gate
	turn map[string]chan struct{} // a token per kind, taken while a gate of it is held
}

type gate struct {
	held    chan struct{} // closed on release
	started chan struct{} // closed when something waits
	begin   sync.Once
	end     sync.Once
	done    func() // gives the kind's turn back
}

func (g *gate) release() {
	g.end.Do(func() {
		close(g.held)
		g.done()
	})
}

func (gs *gates) hold(kind string) (<-chan struct{}, func()) {
	gs.mu.Lock()
	if gs.turn == nil {
		gs.by, gs.turn = map[string]*gate{}, map[string]chan struct{}{}
	}
	turn := gs.turn[kind]
	if turn == nil {
		turn = make(chan struct{}, 1)
		gs.turn[kind] = turn
	}
	gs.mu.Unlock()
	// A request that arrives is told apart by the gate it meets, so two
	// holds of one kind at once could not tell whose request started:
	// wait for the other's release.
	turn <- struct{}{}
	g := &gate{held: make(chan struct{}), started: make(chan struct{}), done: func() { <-turn }}
	gs.mu.Lock()
	gs.by[kind] = g
	gs.mu.Unlock()
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
