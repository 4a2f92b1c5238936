package golang

import (
	"context"
	"go/parser"
	"go/token"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/pid1/pid1/internal/packager"
)

// Imports lists the import paths of a Go file, in order; nil if it does
// not parse.
func Imports(src string) []string {
	f, err := parser.ParseFile(token.NewFileSet(), "", src, parser.ImportsOnly|parser.ParseComments)
	if err != nil {
		return nil
	}
	var out []string
	for _, s := range f.Imports {
		p, err := strconv.Unquote(s.Path.Value)
		if err != nil {
			continue
		}
		if s.Comment != nil {
			if pragma := packager.Pragma(s.Comment.Text()); pragma != "" {
				p = pragma
			}
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// standard reports whether an import path is the standard library's:
// the go command reserves paths without a dot in their first element.
func standard(p string) bool {
	first, _, _ := strings.Cut(p, "/")
	return !strings.Contains(first, ".")
}

// within reports whether package path p is in module mod.
func within(p, mod string) bool { return p == mod || strings.HasPrefix(p, mod+"/") }

func (Backend) Guess(ctx context.Context, w packager.Workspace, files []string) ([]string, error) {
	ignoredPkgs, ignoredPaths := w.Ignored()
	f, err := readModfile(w.Dir())
	if err != nil {
		return nil, err
	}
	var own string
	var required []string
	if f != nil {
		if f.Module != nil {
			own = f.Module.Mod.Path
		}
		for _, r := range f.Require {
			required = append(required, r.Mod.Path)
		}
	}
	var out []string
	for _, src := range packager.Sources(w.Dir(), files, ignoredPaths, ".go") {
		for _, p := range Imports(src.Text) {
			switch {
			case standard(p), own != "" && within(p, own), slices.Contains(out, p):
			case slices.ContainsFunc(required, func(m string) bool { return within(p, m) }):
			case slices.ContainsFunc(ignoredPkgs, func(m string) bool { return within(p, m) }):
			default:
				out = append(out, p)
			}
		}
	}
	sort.Strings(out)
	return out, ctx.Err()
}
