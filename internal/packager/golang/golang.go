package golang

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"regexp"
	"sort"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"

	"github.com/pid1/pid1/internal/fsroot"
	"github.com/pid1/pid1/internal/packager"
)

// Backend is the Go backend.
type Backend struct{}

var _ packager.Backend = Backend{}

const (
	gomod = "go.mod"
	gosum = "go.sum"
)

func (Backend) Name() string        { return "go" }
func (Backend) Languages() []string { return []string{"golang", "go1"} }

func (Backend) Detect(dir *fsroot.Dir) packager.Presence {
	switch {
	case packager.Exists(dir, gomod):
		return packager.Managed
	case packager.HasSources(dir, ".go"):
		return packager.Code
	}
	return packager.None
}

func (Backend) Files(packager.Workspace) []string { return []string{gomod, gosum} }

// run runs the go command, turning a failure into its own error lines.
func run(ctx context.Context, w packager.Workspace, args ...string) error {
	return packager.Explain(w.Run(ctx, append([]string{"go"}, args...)), errorLine)
}

func errorLine(l string) bool {
	return strings.HasPrefix(l, "go: ") || strings.Contains(l, "error") || strings.HasPrefix(l, "\t")
}

// ensureModule makes the workspace a module if it is not one: go mod
// init, named after the workspace (REPL_SLUG, else its directory).
func ensureModule(ctx context.Context, w packager.Workspace) error {
	if packager.Exists(w.Dir(), gomod) {
		return nil
	}
	name := w.Getenv("REPL_SLUG")
	if name == "" {
		name = path.Base(w.Dir().Path())
	}
	return run(ctx, w, "mod", "init", moduleName(name))
}

var unsafeRE = regexp.MustCompile(`[^a-z0-9._~-]+`)

// moduleName makes a module path of a workspace's name.
func moduleName(name string) string {
	n := strings.Trim(unsafeRE.ReplaceAllString(strings.ToLower(name), "-"), "-.~_")
	if n == "" || module.CheckPath(n) != nil && module.CheckImportPath(n) != nil {
		return "workspace"
	}
	return n
}

// arg is p as go get takes it: PATH or PATH@VERSION.
func arg(p packager.Pkg) (string, error) {
	name := strings.TrimSpace(p.Name)
	if err := module.CheckImportPath(name); err != nil {
		return "", fmt.Errorf("%q is not a Go module or package path: %v", p.Name, err)
	}
	spec := strings.TrimSpace(p.Spec)
	switch {
	case spec == "":
		return name, nil
	case strings.ContainsAny(spec, " \t\n@"):
		return "", fmt.Errorf("%s: %q is not a version (try \"v1.2.3\" or \"latest\")", name, p.Spec)
	}
	return name + "@" + spec, nil
}

func (Backend) Add(ctx context.Context, w packager.Workspace, pkgs []packager.Pkg) error {
	args := []string{"get"}
	for _, p := range pkgs {
		a, err := arg(p)
		if err != nil {
			return err
		}
		args = append(args, a)
	}
	if err := ensureModule(ctx, w); err != nil {
		return err
	}
	return run(ctx, w, args...)
}

func (b Backend) Remove(ctx context.Context, w packager.Workspace, names []string) error {
	reqs, err := b.ListSpecfile(ctx, w)
	if err != nil {
		return err
	}
	args := []string{"get"}
	for _, n := range names {
		found := false
		for _, r := range reqs {
			found = found || r.Name == n
		}
		if !found {
			return fmt.Errorf("%s is not required in go.mod", n)
		}
		args = append(args, n+"@none")
	}
	return run(ctx, w, args...)
}

func (Backend) Lock(ctx context.Context, w packager.Workspace) error {
	if !packager.Exists(w.Dir(), gomod) {
		return nil
	}
	return run(ctx, w, "mod", "tidy")
}

func (Backend) Install(ctx context.Context, w packager.Workspace) error {
	if !packager.Exists(w.Dir(), gomod) {
		return nil
	}
	return run(ctx, w, "mod", "download")
}

// readModfile parses the workspace's go.mod; nil without one.
func readModfile(dir *fsroot.Dir) (*modfile.File, error) {
	data, err := dir.Read(gomod)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return modfile.ParseLax(gomod, data, nil)
}

func (Backend) ListSpecfile(_ context.Context, w packager.Workspace) ([]packager.Pkg, error) {
	f, err := readModfile(w.Dir())
	if err != nil || f == nil {
		return nil, err
	}
	var out []packager.Pkg
	for _, r := range f.Require {
		out = append(out, packager.Pkg{Name: r.Mod.Path, Spec: r.Mod.Version})
	}
	return out, nil
}

func (Backend) ListLockfile(_ context.Context, w packager.Workspace) ([]packager.Pkg, error) {
	data, err := w.Dir().Read(gosum)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return parseSum(string(data)), nil
}

// parseSum lists the module versions go.sum holds (each once, not its
// go.mod-only lines).
func parseSum(text string) []packager.Pkg {
	var out []packager.Pkg
	seen := map[string]bool{}
	for _, l := range strings.Split(text, "\n") {
		f := strings.Fields(l)
		if len(f) != 3 || strings.HasSuffix(f[1], "/go.mod") || seen[f[0]+"@"+f[1]] {
			continue
		}
		seen[f[0]+"@"+f[1]] = true
		out = append(out, packager.Pkg{Name: f[0], Version: f[1]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (Backend) Search(ctx context.Context, w packager.Workspace, query string) (packager.SearchResult, error) {
	proxy := w.Getenv("GOPROXY")
	if out, err := w.Output(ctx, []string{"go", "env", "GOPROXY"}); err == nil {
		proxy = strings.TrimSpace(string(out))
	}
	return packager.SearchResult{}, fmt.Errorf("%w for Go: the module proxy (GOPROXY=%s) has no search; add a module by its path (example.com/mod), or look for one on https://pkg.go.dev/search", packager.ErrNoSearch, proxy)
}

// listed is what `go list -m -json` says of a module.
type listed struct {
	Path    string
	Version string
	GoMod   string
	Origin  struct{ URL string }
	Error   struct{ Err string }
}

func (Backend) Info(ctx context.Context, w packager.Workspace, name string) (packager.Pkg, error) {
	if err := module.CheckPath(name); err != nil {
		return packager.Pkg{}, fmt.Errorf("%q is not a Go module path: %v", name, err)
	}
	out, err := w.Output(ctx, []string{"go", "list", "-m", "-json", name + "@latest"})
	if err != nil {
		var te *packager.ToolError
		if errors.As(err, &te) && notFound(te.Output) {
			return packager.Pkg{}, &packager.NotFound{Name: name, Registry: "the Go module proxy"}
		}
		return packager.Pkg{}, packager.Explain(err, errorLine)
	}
	var m listed
	if err := json.Unmarshal(out, &m); err != nil {
		return packager.Pkg{}, fmt.Errorf("go list: %w", err)
	}
	p := packager.Pkg{Name: m.Path, Version: m.Version, Homepage: "https://pkg.go.dev/" + m.Path,
		Documentation: "https://pkg.go.dev/" + m.Path, Source: m.Origin.URL}
	if m.GoMod != "" {
		if data, err := os.ReadFile(m.GoMod); err == nil {
			if f, err := modfile.ParseLax("go.mod", data, nil); err == nil {
				for _, r := range f.Require {
					if !r.Indirect {
						p.Dependencies = append(p.Dependencies, r.Mod.Path)
					}
				}
			}
		}
	}
	return p, nil
}

// notFound recognises the go command's ways of saying a module does not
// exist (the proxy's 404 or 410, a missing file in a file:// proxy, no
// versions).
func notFound(out string) bool {
	for _, s := range []string{"404 Not Found", "410 Gone", "no such file or directory", "no matching versions", "not found"} {
		if strings.Contains(out, s) {
			return true
		}
	}
	return false
}
