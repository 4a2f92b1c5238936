package runners

import (
	"github.com/pid1/pid1/sandbox"
)

// Runner is one language, described by data: what it is (the fields of
// ATO's languages.json) and how a request reaches its toolchain.
type Runner struct {
	// ID is ATO's runner id ("python", "c_gcc", ...).
	ID string
	// Name, URL, Image, SEClass and SBCS are the metadata clients show
	// (ATO's "name", "url", "image", "se_class", "sbcs").
	Name, URL, Image, SEClass string
	SBCS                      bool
	// Version is read from the installed toolchain (its --version output,
	// run in the sandbox); empty when the toolchain is missing.
	Version string
	// HelloWorld is a program and the output it must print.
	HelloWorld Example
	// Available is false when the toolchain is not installed or does not
	// start; Unavailable then says why. An unavailable runner is listed,
	// and its Spec fails with ErrUnavailable.
	Available   bool
	Unavailable string

	// how: see lang.go
	how how
}

// Example is a program and its expected standard output.
type Example struct {
	Code   string
	Output string
}

// Request is what a client sends: the program, what goes to the
// compiler or interpreter (Options), what goes to the program (Arguments)
// and its standard input.
type Request struct {
	Code      []byte
	Input     []byte
	Options   []string
	Arguments []string
	// Files are extra files for the work directory (beside the code).
	Files []sandbox.File
	// Limits for the run; zero fields take the sandbox's defaults.
	Limits sandbox.Limits
	// Name is the code file's name in the work directory (what the
	// program's messages call it); empty means the runner's own
	// ("code.py"). It must be a plain name with the runner's extension,
	// and only runners that hand the file to an interpreter can take one
	// (a compiled language's script names its file).
	Name string
	// Shell runs the language's interactive shell instead of a program:
	// it reads its commands from standard input, and Code must be empty.
	// Only runners that have one (asymptote) take it; the others fail
	// with ErrNoShell.
	Shell bool
}
