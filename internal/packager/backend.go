package packager

import (
	"context"
	"net/http"

	"github.com/pid1/pid1/internal/fsroot"
)

// Pkg is a package as the packager messages carry it. Name is always set;
// Spec (a version constraint in the ecosystem's own syntax: "^1.2.0",
// ">=2,<3", "v1.4.0") only for add and the spec file listing; the rest
// only for search and info, as far as the registry knows them.
type Pkg struct {
	Name          string
	Spec          string
	Description   string
	Version       string
	Homepage      string
	Documentation string
	Source        string
	BugTracker    string
	Author        string
	License       string
	Dependencies  []string
}

// SearchResult is what a search found. Note, when set, tells the user how
// the search was done when that is not what they would assume (the
// registry has no search endpoint, so only the exact name was looked up).
type SearchResult struct {
	Pkgs []Pkg
	Note string
}

// MaxResults is how many packages a search returns at most.
const MaxResults = 20

// Backend is one ecosystem's package manager.
type Backend interface {
	// Name is the backend's name ("nodejs", "python", "go").
	Name() string
	// Languages are the names a .replit may give for it.
	Languages() []string
	// Detect says how strongly the workspace's files point at the
	// backend: Managed (its spec or lock file is there), Code (code in
	// its language) or None.
	Detect(dir *fsroot.Dir) Presence
	// Files are the workspace files add, remove, lock and install may
	// change (spec and lock files), relative to the workspace.
	Files(w Workspace) []string

	Search(ctx context.Context, w Workspace, query string) (SearchResult, error)
	// Info describes the named package; an unknown one is a *NotFound.
	Info(ctx context.Context, w Workspace, name string) (Pkg, error)
	// Add installs pkgs and records them in the spec (and lock) file.
	Add(ctx context.Context, w Workspace, pkgs []Pkg) error
	// Remove uninstalls the named packages and drops them from the spec
	// (and lock) file.
	Remove(ctx context.Context, w Workspace, names []string) error
	// Lock brings the lock file in line with the spec file.
	Lock(ctx context.Context, w Workspace) error
	// Install installs what the lock file (or, without one, the spec
	// file) lists: a fresh checkout's first step.
	Install(ctx context.Context, w Workspace) error
	ListSpecfile(ctx context.Context, w Workspace) ([]Pkg, error)
	// ListLockfile lists what is locked (or, where the ecosystem has no
	// lock file, installed), with versions.
	ListLockfile(ctx context.Context, w Workspace) ([]Pkg, error)
	// Guess lists the packages that the imports of the workspace's code
	// (of files, when not empty) need and that nothing installed provides.
	Guess(ctx context.Context, w Workspace, files []string) ([]string, error)
}

// Presence is how strongly a workspace's files point at a backend.
type Presence int

const (
	None    Presence = iota
	Code             // code in the backend's language
	Managed          // its spec or lock file
)

// Workspace is where a backend works: the workspace's files, the
// environment its programs get, and its tool's processes.
type Workspace interface {
	Dir() *fsroot.Dir
	// Environ is the environment the workspace's programs start with.
	Environ() []string
	// Getenv is one variable of Environ.
	Getenv(key string) string
	// Run runs argv (argv[0] found on Environ's PATH) in the workspace
	// with env laid over Environ, its output streamed to the sessions
	// attached. A failure is a *ToolError.
	Run(ctx context.Context, argv []string, env ...string) error
	// Output is Run that returns stdout instead of streaming it (stderr
	// goes to the *ToolError if the tool fails).
	Output(ctx context.Context, argv []string, env ...string) ([]byte, error)
	// Client is the HTTP client for registries.
	Client() *http.Client
	// Ignored are the packages never to guess ([packager] ignoredPackages)
	// and IgnoredPaths the workspace paths not to scan for imports.
	Ignored() (packages, paths []string)
}
