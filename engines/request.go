package engines

import (
	"io"
	"strings"
	"time"
)

// Request is one program to run.
type Request struct {
	Language  string   // a runner id: "python", "c_gcc", ...
	Code      []byte   // the program
	Input     []byte   // its standard input
	Options   []string // to the compiler or interpreter
	Arguments []string // to the program
	// Timeout is the wall-clock limit; 0 means the engine's default. It
	// may not exceed the engine's maximum.
	Timeout time.Duration
	Files   []File // extra files beside the code
	// StdoutCap and StderrCap are how many bytes of each stream are kept;
	// the rest is dropped and the run is marked truncated. 0 means the
	// engine's default; neither may exceed the engine's maximum.
	StdoutCap, StderrCap int64
	// KillOnTruncate ends the run once a stream passes its cap, as a
	// closed pipe would, instead of letting it run to its end unheard.
	KillOnTruncate bool
	// ChunkSize is the largest output Event; 0 means DefaultChunkSize.
	ChunkSize int
	// Client identifies who asks, for the per-client limits ("ip:…",
	// "user:…"); "" applies none.
	Client string
	// Stdin, when set, is the program's standard input as it comes (an
	// interactive session) instead of Input; closing it is the end of
	// the input. The run does not wait for a Read still blocked when it
	// ends.
	Stdin io.Reader
	// Env are "KEY=value" variables added to the program's environment,
	// each replacing the runner's own of the same name.
	Env []string
	// Name is the code file's name (what the program's messages call
	// it); "" means the runner's own. Only languages run by an
	// interpreter take one, with their extension.
	Name string
	// Shell runs the language's interactive shell, reading its commands
	// from standard input, instead of Code (which must be empty).
	Shell bool
}

// File is an extra file in the run's working directory.
type File struct {
	Name string // a plain name, no directories
	Data []byte
}

// DefaultChunkSize is the largest output event when a request sets none.
const DefaultChunkSize = 16 << 10

// validate checks what any engine requires of a request; the limits come
// from the engine.
func (r *Request) validate(lim Limits) error {
	if r.Language == "" {
		return invalid("no language given")
	}
	for _, list := range [][]string{r.Options, r.Arguments} {
		for _, a := range list {
			if strings.IndexByte(a, 0) >= 0 {
				return ErrNULByte
			}
		}
	}
	if r.Timeout < 0 || r.Timeout > lim.MaxTimeout {
		return invalid("timeout %v is not between 0 and %v", r.Timeout, lim.MaxTimeout)
	}
	if r.StdoutCap < 0 || r.StderrCap < 0 || r.StdoutCap > lim.MaxOutput || r.StderrCap > lim.MaxOutput {
		return invalid("output caps %d and %d: each must be between 0 and %d bytes", r.StdoutCap, r.StderrCap, lim.MaxOutput)
	}
	for _, kv := range r.Env {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" || strings.IndexByte(kv, 0) >= 0 {
			return invalid("environment variable %q is not KEY=value without NUL bytes", kv)
		}
	}
	if r.Shell && len(r.Code) > 0 {
		return invalid("a shell takes its commands on standard input, not as code")
	}
	if r.ChunkSize < 0 {
		return invalid("chunk size %d is negative", r.ChunkSize)
	}
	if len(r.Files) > lim.MaxFiles {
		return invalid("%d extra files, at most %d", len(r.Files), lim.MaxFiles)
	}
	seen := make(map[string]bool, len(r.Files))
	for _, f := range r.Files {
		if f.Name == "" || f.Name == "." || f.Name == ".." || strings.ContainsAny(f.Name, "/\x00") {
			return invalid("file name %q must be a plain name", f.Name)
		}
		if seen[f.Name] {
			return invalid("file %q given twice", f.Name)
		}
		seen[f.Name] = true
	}
	return nil
}

// withDefaults fills the zero fields from lim.
func (r Request) withDefaults(lim Limits) Request {
	if r.Timeout == 0 {
		r.Timeout = lim.DefaultTimeout
	}
	if r.StdoutCap == 0 {
		r.StdoutCap = lim.DefaultOutput
	}
	if r.StderrCap == 0 {
		r.StderrCap = lim.DefaultOutput
	}
	if r.ChunkSize == 0 {
		r.ChunkSize = DefaultChunkSize
	}
	return r
}
