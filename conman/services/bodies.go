package services

import (
	"fmt"
	"sort"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/pid1/pid1/api"
)

// Bodies is a set of command kinds, named by their field in the Command
// oneof ("write", "runMain", "resizeTerm"). Descriptors declare with it
// which commands a read-only session may not send.
type Bodies struct{ names map[string]bool }

// BodySet is the set of the named kinds. It panics on a name that is not
// a Command body: a misspelt declaration would silently let read-only
// users through, so it must fail when pid1 starts (and in every test).
func BodySet(names ...string) Bodies {
	return Bodies{}.With(names...)
}

// With is b plus names (b is not changed).
func (b Bodies) With(names ...string) Bodies {
	out := Bodies{names: make(map[string]bool, len(b.names)+len(names))}
	for n := range b.names {
		out.names[n] = true
	}
	body := (&api.Command{}).ProtoReflect().Descriptor().Oneofs().ByName("body")
	for _, n := range names {
		fd := body.Fields().ByName(protoreflect.Name(n))
		if fd == nil {
			panic(fmt.Sprintf("services: %q is not a Command body", n))
		}
		out.names[n] = true
	}
	return out
}

// Union is the set of kinds in any of sets.
func Union(sets ...Bodies) Bodies {
	var out Bodies
	for _, s := range sets {
		out = out.With(s.Names()...)
	}
	return out
}

// Has reports whether cmd's body is in b.
func (b Bodies) Has(cmd *api.Command) bool { return b.names[BodyName(cmd)] }

// Names lists b's kinds, sorted.
func (b Bodies) Names() []string {
	out := make([]string, 0, len(b.names))
	for n := range b.names {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
