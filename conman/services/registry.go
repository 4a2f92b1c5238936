package services

import (
	"fmt"
	"sort"
)

// Descriptor names a service and says how to build it.
type Descriptor struct {
	Name string
	New  Constructor
	// WellKnown is the channel name clients use to share the service's
	// channel by convention (usually Name + "er"); "" if none.
	WellKnown string
	// Writes are the commands that change the workspace, run code, or
	// change a process, a terminal or what others see. The hub refuses
	// them to read-only sessions with one error (ReadOnly), so the
	// service never sees them from one.
	Writes Bodies
	// Starts is set when creating the service's channel starts a process
	// (a shell, a REPL): a read-only session may attach to such a channel
	// once a writer has opened it, but not create one.
	Starts bool
}

// Registry maps service names to descriptors. It is filled at start-up and
// read-only afterwards, so lookups need no lock.
type Registry struct {
	byName map[string]Descriptor
}

// NewRegistry returns a registry holding ds. It panics on a duplicate or
// empty name: that is a programming error in the default set.
func NewRegistry(ds ...Descriptor) *Registry {
	r := &Registry{byName: make(map[string]Descriptor)}
	for _, d := range ds {
		r.Register(d)
	}
	return r
}

// Register adds d. It panics on a duplicate or empty name.
func (r *Registry) Register(d Descriptor) {
	if d.Name == "" || d.New == nil {
		panic("services: descriptor needs a name and a constructor")
	}
	if _, dup := r.byName[d.Name]; dup {
		panic(fmt.Sprintf("services: %q registered twice", d.Name))
	}
	r.byName[d.Name] = d
}

// Lookup finds the descriptor for name.
func (r *Registry) Lookup(name string) (Descriptor, bool) {
	d, ok := r.byName[name]
	return d, ok
}

// Names lists the registered service names, sorted.
func (r *Registry) Names() []string {
	names := make([]string, 0, len(r.byName))
	for n := range r.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
