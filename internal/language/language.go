// Package language says how to run the workspace's program: from its
// .replit file (TOML: run, entrypoint, language, compile, interpreter) or,
// without one, from the files it holds (main.py, index.js, main.go,
// main.c, main.sh, a Makefile).
//
// A command given as a string runs through `sh -c`, as on Replit; as an
// array it runs directly. Compiled languages build into a directory
// outside the workspace, so runs do not litter it.
package language

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/pid1/pid1/internal/fsroot"
)

// Config is how to run the workspace's program.
type Config struct {
	Language    string   // python3, nodejs, go, c, bash, make, or what .replit says
	Entrypoint  string   // the main file, relative to the workspace
	Compile     []string // argv of the compile step; nil if none
	Run         []string // argv that runs the program
	Interpreter []string // argv of the language's REPL; nil if it has none
	Interactive []string // argv that runs the entrypoint, then a REPL in its context; nil if none
	FromFile    bool     // read from .replit
}

// dotReplit is the part of .replit pid1 reads.
type dotReplit struct {
	Run         any               `toml:"run"`
	Entrypoint  string            `toml:"entrypoint"`
	Language    string            `toml:"language"`
	Compile     any               `toml:"compile"`
	Interpreter any               `toml:"interpreter"`
	Env         map[string]string `toml:"env"`
	Packager    struct {
		Language        string   `toml:"language"`
		IgnoredPackages []string `toml:"ignoredPackages"`
		IgnoredPaths    []string `toml:"ignoredPaths"`
		Features        struct {
			GuessImports bool `toml:"guessImports"`
		} `toml:"features"`
	} `toml:"packager"`
}

// ErrNothingToRun is returned when there is no .replit and no file the
// detection knows.
var ErrNothingToRun = errors.New(`nothing to run: add a .replit with run = "...", or a main.py, index.js, main.go, main.c, main.sh or Makefile`)

// Load reads the workspace's configuration. buildDir is where compiled
// programs go. fallback is the workspace's language when neither a .replit
// nor its files say (pid1 -language): if the workspace has nothing to run,
// the error (ErrNothingToRun) then says which file the language needs,
// and the Config returned with it is that language's, for a REPL.
func Load(ws *fsroot.Dir, buildDir, fallback string) (Config, error) {
	data, err := ws.Read(".replit")
	switch {
	case err == nil:
		return fromFile(data, ws, buildDir)
	case !errors.Is(err, os.ErrNotExist):
		return Config{}, fmt.Errorf(".replit: %w", err)
	}
	c, err := detect(ws, buildDir)
	if !errors.Is(err, ErrNothingToRun) || fallback == "" {
		return c, err
	}
	if c, ok := known(fallback, "", ws, buildDir); ok {
		return c, fmt.Errorf(`%w: the workspace's language is %s, but it has no %s; add it, or a .replit with run = "..."`,
			errNothing, c.Language, c.Entrypoint)
	}
	return Config{}, err
}

// errNothing is ErrNothingToRun's first words, for messages that go on
// differently.
var errNothing = &nothingToRun{}

type nothingToRun struct{}

func (*nothingToRun) Error() string        { return "nothing to run" }
func (*nothingToRun) Is(target error) bool { return target == ErrNothingToRun }

func fromFile(data []byte, ws *fsroot.Dir, buildDir string) (Config, error) {
	var r dotReplit
	if _, err := toml.Decode(string(data), &r); err != nil {
		return Config{}, fmt.Errorf(".replit: %w", err)
	}
	base := Config{}
	if r.Language != "" || r.Entrypoint != "" {
		// Start from what the language would do, then apply the file.
		if d, ok := known(r.Language, r.Entrypoint, ws, buildDir); ok {
			base = d
		}
	}
	if base.Language == "" {
		if d, err := detect(ws, buildDir); err == nil && r.Language == "" {
			base = d
		}
	}
	base.FromFile = true
	if r.Language != "" {
		base.Language = r.Language
	}
	if r.Entrypoint != "" {
		base.Entrypoint = r.Entrypoint
	}
	var err error
	if base.Run, err = argv(r.Run, "run", base.Run); err != nil {
		return Config{}, err
	}
	if base.Compile, err = argv(r.Compile, "compile", base.Compile); err != nil {
		return Config{}, err
	}
	if base.Interpreter, err = argv(r.Interpreter, "interpreter", base.Interpreter); err != nil {
		return Config{}, err
	}
	if len(base.Run) == 0 {
		return Config{}, errors.New(`.replit: no run command and no language pid1 knows how to run; add run = "..."`)
	}
	return base, nil
}

// argv turns a .replit command (a string for sh -c, or an array) into an
// argv; def is kept when the key is absent.
func argv(v any, key string, def []string) ([]string, error) {
	switch c := v.(type) {
	case nil:
		return def, nil
	case string:
		if strings.TrimSpace(c) == "" {
			return nil, nil
		}
		return []string{"sh", "-c", c}, nil
	case []any:
		out := make([]string, len(c))
		for i, x := range c {
			s, ok := x.(string)
			if !ok {
				return nil, fmt.Errorf(".replit: %s must be a string or an array of strings", key)
			}
			out[i] = s
		}
		return out, nil
	}
	return nil, fmt.Errorf(".replit: %s must be a string or an array of strings", key)
}

// detect picks the language from the files present.
func detect(ws *fsroot.Dir, buildDir string) (Config, error) {
	for _, probe := range []struct{ file, lang string }{
		{"Makefile", "make"}, {"main.py", "python3"}, {"index.js", "nodejs"}, {"main.js", "nodejs"},
		{"main.go", "go"}, {"go.mod", "go"}, {"main.c", "c"}, {"main.sh", "bash"},
	} {
		if _, exists, err := ws.Stat(probe.file); err == nil && exists {
			entry := probe.file
			if entry == "go.mod" {
				entry = "main.go"
			}
			if c, ok := known(probe.lang, entry, ws, buildDir); ok {
				return c, nil
			}
		}
	}
	return Config{}, ErrNothingToRun
}

// known is how pid1 runs a language it knows.
func known(lang, entry string, ws *fsroot.Dir, buildDir string) (Config, bool) {
	bin := filepath.Join(buildDir, "main")
	c := Config{Language: lang, Entrypoint: entry}
	switch lang {
	case "python3", "python":
		c.Language = "python3"
		c.Entrypoint = or(entry, "main.py")
		c.Run = []string{"python3", "-u", c.Entrypoint}
		c.Interpreter = []string{"python3", "-q"}
		c.Interactive = []string{"python3", "-q", "-i", c.Entrypoint}
	case "nodejs", "node", "javascript":
		c.Language = "nodejs"
		c.Entrypoint = or(entry, "index.js")
		c.Run = []string{"node", c.Entrypoint}
		c.Interpreter = []string{"node"}
		c.Interactive = []string{"node", "-i", "-r", "./" + c.Entrypoint}
	case "go", "golang":
		c.Language = "go"
		c.Entrypoint = or(entry, "main.go")
		c.Compile = []string{"go", "build", "-o", bin, "."}
		c.Run = []string{bin}
	case "c":
		c.Entrypoint = or(entry, "main.c")
		c.Compile = append(append([]string{"cc", "-Wall", "-o", bin}, cFiles(ws, c.Entrypoint)...), "-lm")
		c.Run = []string{bin}
	case "bash", "sh":
		c.Language = "bash"
		c.Entrypoint = or(entry, "main.sh")
		c.Run = []string{"bash", c.Entrypoint}
		c.Interpreter = []string{"bash", "--norc"}
	case "make":
		c.Entrypoint = "Makefile"
		c.Run = []string{"make"}
	default:
		return Config{}, false
	}
	return c, true
}

// cFiles lists the .c files at the workspace's top level (the entrypoint
// first), so a program split over several files builds.
func cFiles(ws *fsroot.Dir, entry string) []string {
	files := []string{entry}
	es, err := ws.ReadDir("")
	if err != nil {
		return files
	}
	var more []string
	for _, e := range es {
		if !e.Dir && strings.HasSuffix(e.Name, ".c") && e.Name != entry {
			more = append(more, e.Name)
		}
	}
	sort.Strings(more)
	return append(files, more...)
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Env is the environment the workspace's .replit sets for its programs
// (its [env] table), as "KEY=value" strings sorted by key; none without a
// .replit.
func Env(ws *fsroot.Dir) ([]string, error) {
	data, err := ws.Read(".replit")
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf(".replit: %w", err)
	}
	var r dotReplit
	if _, err := toml.Decode(string(data), &r); err != nil {
		return nil, fmt.Errorf(".replit: %w", err)
	}
	out := make([]string, 0, len(r.Env))
	for k, v := range r.Env {
		if k == "" || strings.ContainsAny(k, "=\x00") || strings.ContainsRune(v, 0) {
			return nil, fmt.Errorf(".replit: [env] %q is not a valid variable", k)
		}
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out, nil
}

// Packager is what a .replit says about package management.
type Packager struct {
	Language        string   // [packager] language: the package manager's language, if named
	Workspace       string   // the top-level language, if named
	IgnoredPackages []string // [packager] ignoredPackages: never guessed
	IgnoredPaths    []string // [packager] ignoredPaths: not scanned for imports
	GuessImports    bool     // [packager.features] guessImports: install what the code imports before a run
}

// PackagerConfig reads the workspace's .replit for the packager; a
// workspace without one has the zero Packager.
func PackagerConfig(ws *fsroot.Dir) (Packager, error) {
	data, err := ws.Read(".replit")
	switch {
	case errors.Is(err, os.ErrNotExist):
		return Packager{}, nil
	case err != nil:
		return Packager{}, fmt.Errorf(".replit: %w", err)
	}
	var r dotReplit
	if _, err := toml.Decode(string(data), &r); err != nil {
		return Packager{}, fmt.Errorf(".replit: %w", err)
	}
	return Packager{Language: r.Packager.Language, Workspace: r.Language, IgnoredPackages: r.Packager.IgnoredPackages,
		IgnoredPaths: r.Packager.IgnoredPaths, GuessImports: r.Packager.Features.GuessImports}, nil
}
