package packagerwork

import (
	"context"
	"strings"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/internal/packager"
)

// ToAPI is p as the packager messages carry it.
func ToAPI(p packager.Pkg) *api.Package {
	out := &api.Package{Name: p.Name, Spec: p.Spec, Description: p.Description, Version: p.Version,
		HomepageURL: p.Homepage, DocumentationURL: p.Documentation, SourceCodeURL: p.Source,
		BugTrackerURL: p.BugTracker, Author: p.Author, License: p.License}
	for _, d := range p.Dependencies {
		out.Dependencies = append(out.Dependencies, &api.Package{Name: d})
	}
	return out
}

// ToAPIs is ToAPI of each.
func ToAPIs(ps []packager.Pkg) []*api.Package {
	out := make([]*api.Package, 0, len(ps))
	for _, p := range ps {
		out = append(out, ToAPI(p))
	}
	return out
}

// FromAPI is the packages of a request, names trimmed; empty names are
// left out.
func FromAPI(ps []*api.Package) []packager.Pkg {
	var out []packager.Pkg
	for _, p := range ps {
		if name := strings.TrimSpace(p.GetName()); name != "" {
			out = append(out, packager.Pkg{Name: name, Spec: strings.TrimSpace(p.GetSpec())})
		}
	}
	return out
}

// Ensured is what Ensure did, and how long each step took.
type Ensured struct {
	Guessed             []string
	Install, Guess, Add time.Duration
	Total               time.Duration
}

// Ensure brings the workspace to what its code needs: it installs what the
// spec (or lock) file lists, then guesses what the code (of files, when
// not empty) imports that is still missing, and adds that. With
// installSpec false the spec file is not installed first; with guess
// false nothing is guessed.
func Ensure(ctx context.Context, b packager.Backend, ws packager.Workspace, files []string, installSpec, guess bool) (e Ensured, err error) {
	start := time.Now()
	defer func() { e.Total = time.Since(start) }()
	step := func(d *time.Duration, fn func() error) error {
		if err := ctx.Err(); err != nil {
			return err // stopped between steps
		}
		t := time.Now()
		err := fn()
		*d = time.Since(t)
		return err
	}
	if installSpec {
		if err := step(&e.Install, func() error { return b.Install(ctx, ws) }); err != nil {
			return e, err
		}
	}
	if !guess {
		return e, nil
	}
	err = step(&e.Guess, func() error {
		var err error
		e.Guessed, err = b.Guess(ctx, ws, files)
		return err
	})
	if err != nil || len(e.Guessed) == 0 {
		return e, err
	}
	pkgs := make([]packager.Pkg, len(e.Guessed))
	for i, g := range e.Guessed {
		pkgs[i].Name = g
	}
	return e, step(&e.Add, func() error { return b.Add(ctx, ws, pkgs) })
}
