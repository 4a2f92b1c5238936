package packagerwork_test

import (
	"context"
	"errors"
	"strings"

	"github.com/pid1/pid1/internal/fsroot"
	"github.com/pid1/pid1/internal/packager"
)

// scriptBackend is the package manager of the worker's tests: the worker
// is under test, so its tool is a shell script in the workspace (tool.sh)
// rather than npm or pip. Its spec file pkgs.txt lists a package a line;
// its lock file pkgs.lock says what was last added or installed. Add and
// Install write both before they run the tool, as npm does, so that a
// failure leaves changed files for the worker to put back; the tool runs
// through the workspace, as a real backend's does (the channel's
// jobs.Supervisor, its own process group).
type scriptBackend struct{}

const (
	specFile = "pkgs.txt"
	lockFile = "pkgs.lock"
)

// toolScript is tool.sh VERB NAME. It notes its start and end in the
// journal and prints the spec as it sees it; a NAME starting with "fail"
// fails; a NAME with a FIFO NAME.fifo beside it waits, in a child (cat),
// until the test writes to it, after writing its own and the child's
// pids to NAME.pids and printing "holding NAME".
const toolScript = `verb=$1 name=$2
echo "$verb $name: start" >> journal
echo "tool: $verb $name (spec: $(tr '\n' ' ' < pkgs.txt))"
case $name in fail*) echo "no such package: $name" >&2; exit 3;; esac
if [ -p "$name.fifo" ]; then
	cat "$name.fifo" > /dev/null &
	echo "$$ $!" > "$name.pids"
	echo "holding $name"
	wait $!
fi
echo "$verb $name: end" >> journal
`

func (scriptBackend) Name() string        { return "script" }
func (scriptBackend) Languages() []string { return []string{"script"} }

func (scriptBackend) Detect(dir *fsroot.Dir) packager.Presence {
	if packager.Exists(dir, specFile) {
		return packager.Managed
	}
	return packager.None
}

func (scriptBackend) Files(packager.Workspace) []string { return []string{specFile, lockFile} }

func tool(ctx context.Context, w packager.Workspace, verb, name string) error {
	return w.Run(ctx, []string{"sh", "tool.sh", verb, name})
}

func readSpec(w packager.Workspace) ([]string, error) {
	b, err := w.Dir().Read(specFile)
	if err != nil {
		return nil, err
	}
	var names []string
	for l := range strings.Lines(string(b)) {
		if l = strings.TrimSpace(l); l != "" {
			names = append(names, l)
		}
	}
	return names, nil
}

func writeSpec(w packager.Workspace, names []string, lock string) error {
	if err := w.Dir().Write(specFile, []byte(strings.Join(names, "\n")+"\n")); err != nil {
		return err
	}
	return w.Dir().Write(lockFile, []byte(lock))
}

// Search lists the lines of index.txt holding the query, with grep.
func (scriptBackend) Search(ctx context.Context, w packager.Workspace, query string) (packager.SearchResult, error) {
	out, err := w.Output(ctx, []string{"grep", "-F", "--", query, "index.txt"})
	if err != nil {
		return packager.SearchResult{}, err
	}
	var r packager.SearchResult
	for l := range strings.Lines(string(out)) {
		r.Pkgs = append(r.Pkgs, packager.Pkg{Name: strings.TrimSpace(l)})
	}
	return r, nil
}

func (scriptBackend) Info(_ context.Context, _ packager.Workspace, name string) (packager.Pkg, error) {
	return packager.Pkg{}, &packager.NotFound{Name: name, Registry: "the test"}
}

func (scriptBackend) Add(ctx context.Context, w packager.Workspace, pkgs []packager.Pkg) error {
	names, err := readSpec(w)
	if err != nil {
		return err
	}
	for _, p := range pkgs {
		names = append(names, p.Name)
	}
	if err := writeSpec(w, names, "added "+strings.Join(names, " ")+"\n"); err != nil {
		return err
	}
	for _, p := range pkgs {
		if err := tool(ctx, w, "add", p.Name); err != nil {
			return err
		}
	}
	return nil
}

func (scriptBackend) Remove(context.Context, packager.Workspace, []string) error {
	return errors.New("the test backend removes nothing")
}

func (scriptBackend) Lock(context.Context, packager.Workspace) error { return nil }

// Install writes the lock file and runs the tool for "all".
func (scriptBackend) Install(ctx context.Context, w packager.Workspace) error {
	if err := w.Dir().Write(lockFile, []byte("installed\n")); err != nil {
		return err
	}
	return tool(ctx, w, "install", "all")
}

func (scriptBackend) ListSpecfile(_ context.Context, w packager.Workspace) ([]packager.Pkg, error) {
	names, err := readSpec(w)
	var out []packager.Pkg
	for _, n := range names {
		out = append(out, packager.Pkg{Name: n})
	}
	return out, err
}

func (b scriptBackend) ListLockfile(ctx context.Context, w packager.Workspace) ([]packager.Pkg, error) {
	return b.ListSpecfile(ctx, w)
}

func (scriptBackend) Guess(context.Context, packager.Workspace, []string) ([]string, error) {
	return nil, nil
}
