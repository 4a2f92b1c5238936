package engines

import (
	"github.com/pid1/pid1/runners"
	"github.com/pid1/pid1/sandbox"
)

// Catalog is where an engine finds its languages and how to run each.
type Catalog interface {
	// Languages lists every language, available or not.
	Languages() []Language
	// Spec is how the sandbox runs req in language id: ErrUnknownLanguage
	// or ErrUnavailable when it cannot.
	Spec(id string, req runners.Request) (sandbox.Spec, error)
}

// Runners is the Catalog of a runners.Set: the built-in languages.
func Runners(set *runners.Set) Catalog { return runnerCatalog{set} }

type runnerCatalog struct{ set *runners.Set }

func (c runnerCatalog) Languages() []Language {
	list := c.set.List()
	out := make([]Language, 0, len(list))
	for _, r := range list {
		l := Language{ID: r.ID, Name: r.Name, Image: r.Image, Version: r.Version, URL: r.URL,
			SBCS: r.SBCS, SEClass: r.SEClass, Available: r.Available, File: r.File(), Command: r.Command()}
		if r.HelloWorld.Code != "" {
			l.HelloWorld = &Example{Code: r.HelloWorld.Code, Output: r.HelloWorld.Output}
		}
		out = append(out, l)
	}
	return out
}

func (c runnerCatalog) Spec(id string, req runners.Request) (sandbox.Spec, error) {
	r, ok := c.set.Lookup(id)
	switch {
	case !ok:
		return sandbox.Spec{}, ErrUnknownLanguage
	case !r.Available:
		return sandbox.Spec{}, ErrUnavailable
	}
	return r.Spec(req)
}
