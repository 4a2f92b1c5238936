package nodejs

import (
	"context"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/pid1/pid1/internal/packager"
)

// importRE finds the module names of require("x"), import("x"),
// import ... from "x", export ... from "x" and import "x".
var importRE = regexp.MustCompile(`(?:\brequire\s*\(\s*|\bimport\s*\(\s*|\b(?:import|export)\s[^'"` + "`" + `;]*?\bfrom\s*|\bimport\s*)['"]([^'"\n]+)['"]`)

// Imports lists the packages src's imports name, each once, in order of
// appearance: relative and absolute paths, URLs and loader strings are
// not packages; a deep import ("lodash/fp", "@scope/pkg/x") names its
// package; a "upm package(NAME)" comment on the line names the package
// instead. node: and bun: modules are left out, but not bare built-in
// names (see Guess); nor is what npm would not take as a package name.
func Imports(src string) []string {
	var out []string
	for _, line := range joinedStatements(src) {
		for _, m := range importRE.FindAllStringSubmatch(line, -1) {
			name := PackageOf(m[1])
			if p := packager.Pragma(line); p != "" && name != "" {
				name = p
			}
			if name != "" && checkName(name) == nil && !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	return out
}

// joinedStatements splits src into lines, joining an import statement
// that spans lines (import {\n a,\n b\n} from "x") into one, and dropping
// comment lines.
func joinedStatements(src string) []string {
	var out []string
	var cur strings.Builder
	open := false
	for _, l := range strings.Split(src, "\n") {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "//") || strings.HasPrefix(t, "*") || strings.HasPrefix(t, "/*") {
			continue
		}
		if open {
			cur.WriteString(" " + t)
			if strings.Contains(t, "from") || strings.ContainsAny(t, "'\";") {
				out = append(out, cur.String())
				cur.Reset()
				open = false
			}
			continue
		}
		if (strings.HasPrefix(t, "import ") || strings.HasPrefix(t, "export ")) && strings.Contains(t, "{") && !strings.Contains(t, "}") {
			cur.WriteString(t)
			open = true
			continue
		}
		out = append(out, l)
	}
	if open {
		out = append(out, cur.String())
	}
	return out
}

// PackageOf is the package a module specifier names ("lodash/fp":
// lodash, "@scope/pkg/x": @scope/pkg), or "" for what is not a package.
func PackageOf(spec string) string {
	switch {
	case spec == "", strings.HasPrefix(spec, "."), strings.HasPrefix(spec, "/"), strings.ContainsAny(spec, "!: \\"):
		return ""
	}
	parts := strings.Split(spec, "/")
	if strings.HasPrefix(spec, "@") {
		if len(parts) < 2 || parts[1] == "" {
			return ""
		}
		return parts[0] + "/" + parts[1]
	}
	return parts[0]
}

func (Backend) Guess(ctx context.Context, w packager.Workspace, files []string) ([]string, error) {
	ignoredPkgs, ignoredPaths := w.Ignored()
	var names []string
	for _, src := range packager.Sources(w.Dir(), files, ignoredPaths, sourceExts...) {
		for _, n := range Imports(src.Text) {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	if len(names) == 0 {
		return nil, nil
	}
	builtins, err := builtinModules(ctx, w)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range names {
		if slices.Contains(builtins, n) || slices.Contains(ignoredPkgs, n) || packager.Exists(w.Dir(), path.Join("node_modules", n, "package.json")) {
			continue
		}
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

// builtinModules are Node's built-in modules, as the node that runs the
// workspace's code lists them.
func builtinModules(ctx context.Context, w packager.Workspace) ([]string, error) {
	out, err := w.Output(ctx, []string{"node", "-p", `require("module").builtinModules.join("\n")`})
	if err != nil {
		return nil, err
	}
	return strings.Fields(string(out)), nil
}

func sortStrings(s []string) { sort.Strings(s) }
