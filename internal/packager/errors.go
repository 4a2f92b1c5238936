package packager

import (
	"errors"
	"fmt"
	"strings"
)

// ToolError is a tool that failed: the command, how it ended, and the end
// of what it printed.
type ToolError struct {
	Argv   []string
	Status string // "exit status 1", "signal: killed"
	Output string // the last MaxToolOutput bytes it printed
}

// MaxToolOutput is how much of a failed tool's output a ToolError keeps.
const MaxToolOutput = 32 << 10

func (e *ToolError) Error() string {
	msg := fmt.Sprintf("%s: %s", strings.Join(shortArgv(e.Argv), " "), e.Status)
	if out := lastLines(e.Output, 12); out != "" {
		msg += "\n" + out
	}
	return msg
}

// shortArgv is argv for a message: the program's base name and at most a
// few arguments.
func shortArgv(argv []string) []string {
	if len(argv) == 0 {
		return nil
	}
	out := append([]string{argv[0][strings.LastIndexByte(argv[0], '/')+1:]}, argv[1:]...)
	if len(out) > 6 {
		out = append(out[:6:6], "…")
	}
	return out
}

// Explain rewrites a *ToolError in err so that its message carries the
// tool's own words: the lines of its output that keep selects (its error
// lines), or its last lines when none does. Other errors pass unchanged.
func Explain(err error, keep func(line string) bool) error {
	var te *ToolError
	if !errors.As(err, &te) {
		return err
	}
	var kept []string
	for _, l := range strings.Split(te.Output, "\n") {
		if l = strings.TrimRight(l, "\r "); l != "" && keep(l) {
			kept = append(kept, l)
		}
	}
	if len(kept) == 0 {
		return err
	}
	if len(kept) > 12 {
		kept = kept[len(kept)-12:]
	}
	return &explained{te: te, msg: fmt.Sprintf("%s: %s\n%s", strings.Join(shortArgv(te.Argv), " "), te.Status, strings.Join(kept, "\n"))}
}

type explained struct {
	te  *ToolError
	msg string
}

func (e *explained) Error() string { return e.msg }
func (e *explained) Unwrap() error { return e.te }

// lastLines is the last n non-empty lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	var out []string
	for i := len(lines) - 1; i >= 0 && len(out) < n; i-- {
		if l := strings.TrimRight(lines[i], "\r "); l != "" {
			out = append(out, l)
		}
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return strings.Join(out, "\n")
}

// NotFound is a package the registry does not know.
type NotFound struct {
	Name     string
	Registry string
}

func (e *NotFound) Error() string {
	return fmt.Sprintf("no package %q in %s", e.Name, e.Registry)
}

// ErrNoSearch is wrapped by the error of a search the backend's registry
// cannot do at all (the Go module proxy).
var ErrNoSearch = errors.New("search is not supported")
