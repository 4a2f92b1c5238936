// Package clippy is the middleware that watches a service's output and
// injects `hint { text }` messages when it matches a rule for the
// program's language: a friendly word on common errors. A hint follows
// the output it is about: it goes out once the output pauses or before
// the service's next message of another kind.
//
// Rules live in rules.toml (embedded). The wrapped service names the
// language of each run through Hints.SetLanguage (the terminal package
// hands the Hints to it), which also resets the rules, so each fires at most once per run. Output is
// matched across message boundaries: the last 4 KiB are kept.
package clippy

import (
	_ "embed"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/internal/packager/nodejs"
	"github.com/pid1/pid1/internal/packager/python"
)

// Rule turns output matching Pattern into a hint. When Package names an
// ecosystem ("python", "nodejs"), the pattern's first group is a module
// name as the program imported it and $package in Hint is the package
// that provides it, as the packager would guess it (yaml → PyYAML,
// lodash/fp → lodash), so that the hint names what to add.
type Rule struct {
	Language string `toml:"language"`
	Pattern  string `toml:"pattern"`
	Hint     string `toml:"hint"`
	Package  string `toml:"package"`
	re       *regexp.Regexp
}

// packageOf maps a module name to its package, per ecosystem.
var packageOf = map[string]func(module string) string{
	"python": python.Distribution,
	"nodejs": nodejs.PackageOf,
}

//go:embed rules.toml
var rulesTOML string

// Default are the rules of rules.toml.
var Default = mustParse(rulesTOML)

// Parse reads rules in rules.toml's format.
func Parse(src string) ([]Rule, error) {
	var f struct {
		Rule []Rule `toml:"rule"`
	}
	if _, err := toml.Decode(src, &f); err != nil {
		return nil, err
	}
	for i := range f.Rule {
		r := &f.Rule[i]
		if r.Language == "" || r.Pattern == "" || r.Hint == "" {
			return nil, fmt.Errorf("rule %d: needs language, pattern and hint", i+1)
		}
		re, err := regexp.Compile(r.Pattern)
		if err != nil {
			return nil, fmt.Errorf("rule %d: %w", i+1, err)
		}
		if r.Package != "" && (packageOf[r.Package] == nil || re.NumSubexp() < 1) {
			return nil, fmt.Errorf("rule %d: package %q needs to be python or nodejs, and the pattern a group for the module", i+1, r.Package)
		}
		r.re = re
	}
	return f.Rule, nil
}

func mustParse(src string) []Rule {
	rules, err := Parse(src)
	if err != nil {
		panic("clippy: rules.toml: " + err.Error()) // embedded data, checked by the tests
	}
	return rules
}

// window is how much recent output a pattern can span.
const window = 4 << 10

// quiet is how long output must pause before pending hints go out.
const quiet = 150 * time.Millisecond

// New returns the middleware with rules.
func New(rules []Rule) services.Middleware {
	return func(next services.Constructor) services.Constructor {
		return func(ch services.Channel) (services.Service, error) {
			return next(Wrap(ch, rules))
		}
	}
}

// Wrap returns the Hints channel that watches the output sent to ch.
func Wrap(ch services.Channel, rules []Rule) *Hints { return &Hints{Channel: ch, rules: rules} }

// Hints is a channel that watches broadcast output and sends the hints
// its rules give for the language that runs.
type Hints struct {
	services.Channel
	rules []Rule

	mu      sync.Mutex
	lang    string
	fired   map[int]bool
	tail    string
	pending []string    // hints waiting for the output to pause
	timer   *time.Timer // sends them when it does
}

// SetLanguage starts a run of lang: every rule may fire again.
func (c *Hints) SetLanguage(lang string) {
	c.mu.Lock()
	c.lang, c.fired, c.tail = lang, map[int]bool{}, ""
	c.mu.Unlock()
}

// Send passes cmd on. A hint that broadcast output triggers goes out when
// the output pauses (quiet) or before the service's next other message (the
// exit status, say), so that it follows the output it is about rather
// than landing in the middle of a stack trace.
func (c *Hints) Send(cmd *api.Command) {
	out, ok := cmd.Body.(*api.Command_Output)
	if !ok {
		c.flush()
		c.Channel.Send(cmd)
		return
	}
	c.Channel.Send(cmd)
	if cmd.Session != 0 {
		return
	}
	if hints := c.match(out.Output); len(hints) > 0 {
		c.mu.Lock()
		c.pending = append(c.pending, hints...)
		c.mu.Unlock()
	}
	c.mu.Lock()
	if len(c.pending) > 0 {
		if c.timer != nil {
			c.timer.Stop()
		}
		c.timer = time.AfterFunc(quiet, func() { c.Post(c.flush) })
	}
	c.mu.Unlock()
}

// flush sends the pending hints.
func (c *Hints) flush() {
	c.mu.Lock()
	hints := c.pending
	c.pending = nil
	c.mu.Unlock()
	for _, h := range hints {
		services.Broadcast(c.Channel, &api.Command{Body: &api.Command_Hint{Hint: &api.Hint{Text: h}}})
	}
}

func (c *Hints) match(text string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lang == "" {
		return nil
	}
	c.tail += text
	if len(c.tail) > window {
		c.tail = c.tail[len(c.tail)-window:]
	}
	var hints []string
	for i, r := range c.rules {
		if r.Language != c.lang || c.fired[i] {
			continue
		}
		if m := r.re.FindStringSubmatchIndex(c.tail); m != nil {
			c.fired[i] = true
			hint := r.Hint
			if r.Package != "" && m[2] >= 0 {
				pkg := packageOf[r.Package](c.tail[m[2]:m[3]])
				if pkg == "" {
					pkg = c.tail[m[2]:m[3]]
				}
				hint = strings.ReplaceAll(hint, "$package", strings.ReplaceAll(pkg, "$", "$$"))
			}
			hints = append(hints, string(r.re.ExpandString(nil, hint, c.tail, m)))
		}
	}
	return hints
}
