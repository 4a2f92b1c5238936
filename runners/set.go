package runners

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pid1/pid1/sandbox"
)

// ErrUnavailable is returned by Spec for a runner whose toolchain is missing.
var ErrUnavailable = errors.New("runners: language not available here")

// Options tune where toolchains are looked for.
type Options struct {
	// GoRoot is the Go installation (default /usr/local/go).
	GoRoot string
	// GoCache is a warm Go build cache, mounted into Go runs as an overlay
	// (a cold build of hello world takes about a minute). Default GoCache
	// when it exists; without one the go runner is unavailable. Fill it
	// with: GOCACHE=<dir> CGO_ENABLED=0 go build std.
	GoCache string
	// ProbeTimeout bounds each version probe (default 30 s).
	ProbeTimeout time.Duration
}

// Set is the languages one engine serves, keyed by ATO's runner ids.
// It is read-only once probed and safe for concurrent use.
type Set struct {
	byID  map[string]*Runner
	list  []*Runner
	ready chan struct{} // closed when every probe has ended
}

// Default returns every built-in language. Each one whose toolchain is
// installed is probed in sb (so "available" means it starts in the
// sandbox): its version is what the toolchain prints. At most two probes
// run at once, in the background: Default returns at once, and Lookup and
// List wait for the probes (about a second for a dozen languages), so a
// server can listen while they run.
func Default(ctx context.Context, sb *sandbox.Sandbox, o Options) *Set {
	if o.GoRoot == "" {
		o.GoRoot = "/usr/local/go"
	}
	if o.GoCache == "" {
		if st, err := os.Stat(GoCache); err == nil && st.IsDir() {
			o.GoCache = GoCache
		}
	}
	if o.ProbeTimeout == 0 {
		o.ProbeTimeout = 30 * time.Second
	}
	rs := builtin(o)
	s := newSet(rs)
	s.ready = make(chan struct{})
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for _, r := range rs {
		if _, err := os.Stat(r.how.need); err != nil {
			r.Unavailable = r.how.need + " is not installed"
			continue
		}
		if r.ID == "go" && o.GoCache == "" {
			r.Unavailable = "no warm Go build cache at " + GoCache + " (a cold build takes about a minute)"
			continue
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			r.probe(ctx, sb, o.ProbeTimeout)
		})
	}
	go func() {
		wg.Wait()
		close(s.ready)
	}()
	return s
}

func newSet(rs []*Runner) *Set {
	s := &Set{byID: map[string]*Runner{}}
	for _, r := range rs {
		if _, dup := s.byID[r.ID]; dup {
			panic("runners: duplicate id " + r.ID)
		}
		s.byID[r.ID] = r
		s.list = append(s.list, r)
	}
	slices.SortFunc(s.list, func(a, b *Runner) int { return strings.Compare(a.ID, b.ID) })
	return s
}

// probe runs the version command in the sandbox.
func (r *Runner) probe(ctx context.Context, sb *sandbox.Sandbox, timeout time.Duration) {
	var out bytes.Buffer
	res, err := sb.Run(ctx, sandbox.Spec{
		Argv: r.how.probe, Env: r.env(), Stdout: &out, Stderr: &out,
		Binds:  r.how.binds,
		Limits: sandbox.Limits{Wall: timeout},
	})
	switch {
	case err != nil:
		r.Unavailable = "version probe: " + err.Error()
	case res.Status != sandbox.Exited || res.Value != 0:
		r.Unavailable = fmt.Sprintf("version probe %q ended %s %d: %.200s", r.how.probe, res.Status, res.Value, out.String())
	default:
		r.Version = r.how.version(out.String())
		r.Available = r.Version != ""
		if !r.Available {
			r.Unavailable = fmt.Sprintf("no version in %.200q", out.String())
		}
	}
}

// Lookup finds a runner by id (case-sensitive, like ATO), once the
// probes have ended.
func (s *Set) Lookup(id string) (*Runner, bool) {
	s.wait()
	r, ok := s.byID[id]
	return r, ok
}

// List returns the runners ordered by id, available or not, once the
// probes have ended.
func (s *Set) List() []*Runner {
	s.wait()
	return s.list
}

func (s *Set) wait() {
	if s.ready != nil {
		<-s.ready
	}
}

// env is the runner's environment.
func (r *Runner) env() []string {
	env := []string{"LANG=C.UTF-8"}
	return append(env, r.how.env...)
}

// Spec turns a request into a sandbox run: the code (and the request's
// files) in the work directory, the options before the code file, the
// arguments after it, and the input on stdin. A compiled language
// compiles and runs in the same run. With Shell, the language's shell
// runs instead, with the options, reading the input.
func (r *Runner) Spec(req Request) (sandbox.Spec, error) {
	if !r.Available {
		return sandbox.Spec{}, fmt.Errorf("%w: %s: %s", ErrUnavailable, r.ID, r.Unavailable)
	}
	file, err := r.codeFile(req)
	if err != nil {
		return sandbox.Spec{}, err
	}
	for _, f := range req.Files {
		if f.Path == file {
			return sandbox.Spec{}, badRequest("file %q would replace the code", f.Path)
		}
	}
	var argv []string
	switch {
	case req.Shell:
		argv = r.expand(r.how.shell, req, file)
	case r.how.script != "":
		argv = append([]string{"/bin/bash", "-c", scriptPrelude + flagsLine(r) + r.how.script, r.ID, strconv.Itoa(len(req.Options))}, req.Options...)
		argv = append(argv, req.Arguments...)
	default:
		argv = r.expand(r.how.argv, req, file)
	}
	files := req.Files
	if !req.Shell {
		files = append([]sandbox.File{{Path: file, Data: req.Code, Mode: 0o644}}, req.Files...)
	}
	spec := sandbox.Spec{
		Argv:   argv,
		Env:    r.env(),
		Files:  files,
		Stdin:  bytes.NewReader(req.Input),
		Binds:  r.how.binds,
		Limits: req.Limits,
	}
	if r.ID == "asymptote" {
		spec.Collect = []string{"out.svg", "out.pdf", "out.png", "out.eps"}
	}
	return spec, nil
}

// ErrBadRequest is what Spec's errors about the request (not the
// runner) match: a file replacing the code, a bad code file name, a
// shell with code or where there is none.
var ErrBadRequest = errors.New("runners: bad request")

// ErrNoShell is Spec's answer to Request.Shell for a language that has
// no interactive shell; it matches ErrBadRequest too.
var ErrNoShell = &requestError{"language has no interactive shell"}

// requestError is an error in a request; its text says what.
type requestError struct{ msg string }

func (e *requestError) Error() string { return "runners: " + e.msg }

// Is makes every requestError match ErrBadRequest.
func (e *requestError) Is(target error) bool { return target == ErrBadRequest }

func badRequest(format string, args ...any) error {
	return &requestError{fmt.Sprintf(format, args...)}
}

// codeFile is the code's file name for req, checked.
func (r *Runner) codeFile(req Request) (string, error) {
	switch {
	case req.Shell && r.how.shell == nil:
		return "", fmt.Errorf("%w: %s", ErrNoShell, r.ID)
	case req.Shell && len(req.Code) > 0:
		return "", badRequest("a shell takes its commands on standard input, not as code")
	case req.Name == "" || req.Name == r.how.file:
		return r.how.file, nil
	case r.how.script != "":
		return "", badRequest("%s compiles %s; its code file cannot be renamed", r.ID, r.how.file)
	case req.Name == "." || req.Name == ".." || strings.HasPrefix(req.Name, "-") || strings.ContainsAny(req.Name, "/\x00") ||
		path.Ext(req.Name) != path.Ext(r.how.file) || req.Name == path.Ext(r.how.file):
		return "", badRequest("code file name %q must be a plain name (not an option) ending in %s", req.Name, path.Ext(r.how.file))
	}
	return req.Name, nil
}

// expand fills the placeholders of an argv template.
func (r *Runner) expand(tmpl []string, req Request, file string) []string {
	mem := req.Limits.Memory
	if mem == 0 {
		mem = sandbox.DefaultLimits.Memory
	}
	var argv []string
	for _, a := range tmpl {
		switch a {
		case phOptions:
			argv = append(argv, req.Options...)
		case phArguments:
			argv = append(argv, req.Arguments...)
		case phCode:
			argv = append(argv, file)
		default:
			argv = append(argv, strings.ReplaceAll(a, phMaxRAM, strconv.FormatInt(mem, 10)))
		}
	}
	return argv
}

// File is the code's file name in the work directory ("code.py").
func (r *Runner) File() string { return r.how.file }

// Command is how the code file is run, for people: the command line
// with no options or arguments ("/usr/bin/python3 code.py", or the
// compile-and-run script of a compiled language).
func (r *Runner) Command() string {
	if r.how.script != "" {
		script := strings.NewReplacer(`"${opts[@]}" `, "", ` "$@"`, "", `"${flags[@]}" `, flagWords(r)).Replace(r.how.script)
		return "/bin/bash -c " + quote(script)
	}
	argv := r.expand(r.how.argv, Request{}, r.how.file)
	q := make([]string, len(argv))
	for i, a := range argv {
		q[i] = quote(a)
	}
	return strings.Join(q, " ")
}

// flagWords are the runner's own options, as words of a command line
// (with a trailing space when there are any).
func flagWords(r *Runner) string {
	if r.how.flags == nil {
		return ""
	}
	var b strings.Builder
	for _, f := range r.how.flags(r.Version) {
		b.WriteString(quote(f) + " ")
	}
	return b.String()
}

// quote quotes a word for a POSIX shell when it needs it.
func quote(w string) string {
	if w != "" && strings.Trim(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:+,%@") == "" {
		return w
	}
	return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
}

// flagsLine defines the array flags: options the runner adds before the
// caller's (bash quoting each one).
func flagsLine(r *Runner) string {
	var fl []string
	if r.how.flags != nil {
		fl = r.how.flags(r.Version)
	}
	q := make([]string, len(fl))
	for i, f := range fl {
		q[i] = "'" + strings.ReplaceAll(f, "'", `'\''`) + "'"
	}
	return "flags=(" + strings.Join(q, " ") + ")\n"
}
