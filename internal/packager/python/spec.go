package python

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/BurntSushi/toml"

	"github.com/pid1/pid1/internal/fsroot"
	"github.com/pid1/pid1/internal/packager"
)

// spec is the workspace's list of requirements, as its file holds it.
type spec struct {
	file   string // pyproject or requirements
	exists bool
	text   string
	reqs   []string // the requirement strings, in order
}

func readSpec(dir *fsroot.Dir) (spec, error) {
	s := spec{file: specfile(dir)}
	data, err := dir.Read(s.file)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return s, nil
	case err != nil:
		return s, err
	}
	s.exists, s.text = true, string(data)
	if s.file == requirements {
		for _, l := range strings.Split(s.text, "\n") {
			if r := requirementLine(l); r != "" {
				s.reqs = append(s.reqs, r)
			}
		}
		return s, nil
	}
	deps, err := projectDependencies(s.text)
	if err != nil {
		return s, err
	}
	s.reqs = deps
	return s, nil
}

func (s spec) requirements() []string { return s.reqs }

func (s spec) has(name string) bool { return s.index(name) >= 0 }

func (s spec) index(name string) int {
	n := normalize(name)
	return slices.IndexFunc(s.reqs, func(r string) bool {
		rn, _ := splitRequirement(r)
		return normalize(rn) == n
	})
}

// with is s with requirement r in place of the one for the same
// distribution, or after the others.
func (s spec) with(r string) spec {
	name, _ := splitRequirement(r)
	s.reqs = slices.Clone(s.reqs)
	if i := s.index(name); i >= 0 {
		s.reqs[i] = r
	} else {
		s.reqs = append(s.reqs, r)
	}
	return s
}

func (s spec) without(name string) spec {
	n := normalize(name)
	s.reqs = slices.DeleteFunc(slices.Clone(s.reqs), func(r string) bool {
		rn, _ := splitRequirement(r)
		return normalize(rn) == n
	})
	return s
}

// edit rewrites the workspace's spec file as change says (atomically),
// keeping what it does not change as it was.
func edit(dir *fsroot.Dir, change func(spec) (spec, error)) error {
	old, err := readSpec(dir)
	if err != nil {
		return err
	}
	s, err := change(old)
	if err != nil {
		return err
	}
	var text string
	if s.file == requirements {
		text = renderRequirements(old, s.reqs)
	} else if text, err = renderPyproject(old.text, s.reqs); err != nil {
		return err
	}
	if old.exists && text == old.text {
		return nil
	}
	return dir.Write(s.file, []byte(text))
}

// requirementLine is the requirement a requirements.txt line holds, or ""
// for a comment, an option (-r, --index-url) or an empty line.
func requirementLine(l string) string {
	if i := strings.Index(l, " #"); i >= 0 {
		l = l[:i]
	}
	l = strings.TrimSpace(l)
	if l == "" || strings.HasPrefix(l, "#") || strings.HasPrefix(l, "-") {
		return ""
	}
	if name, _ := splitRequirement(l); name == "" {
		return ""
	}
	return l
}

// renderRequirements is old's text with the requirement lines changed to
// reqs: lines of requirements no longer wanted are dropped, changed ones
// replaced in place, new ones appended; comments and options stay.
func renderRequirements(old spec, reqs []string) string {
	var out []string
	done := map[string]bool{}
	lines := strings.Split(old.text, "\n")
	trailingNewline := old.text == "" || strings.HasSuffix(old.text, "\n")
	if old.text == "" {
		lines = nil
	} else if trailingNewline {
		lines = lines[:len(lines)-1]
	}
	for _, l := range lines {
		r := requirementLine(l)
		if r == "" {
			out = append(out, l)
			continue
		}
		name, _ := splitRequirement(r)
		n := normalize(name)
		i := slices.IndexFunc(reqs, func(x string) bool { xn, _ := splitRequirement(x); return normalize(xn) == n })
		switch {
		case i < 0 || done[n]:
			// dropped
		case reqs[i] == r:
			out = append(out, l)
			done[n] = true
		default:
			out = append(out, reqs[i])
			done[n] = true
		}
	}
	for _, r := range reqs {
		name, _ := splitRequirement(r)
		if !done[normalize(name)] {
			out = append(out, r)
			done[normalize(name)] = true
		}
	}
	text := strings.Join(out, "\n")
	if trailingNewline && text != "" {
		text += "\n"
	}
	return text
}

// nameRE is a distribution name (PEP 508), with extras.
var nameRE = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?`)

// splitRequirement splits a PEP 508 requirement into the distribution's
// name and the rest (extras, version specifiers, markers).
func splitRequirement(r string) (name, rest string) {
	r = strings.TrimSpace(r)
	name = nameRE.FindString(r)
	return name, strings.TrimSpace(r[len(name):])
}

var separatorsRE = regexp.MustCompile(`[-_.]+`)

// normalize is a distribution name as PEP 503 compares them.
func normalize(name string) string {
	return strings.ToLower(separatorsRE.ReplaceAllString(name, "-"))
}

// requirement is the PEP 508 requirement for p: its name alone, or with
// its spec (a bare version "1.2" means ==1.2).
func requirement(p packager.Pkg) (string, error) {
	name := strings.TrimSpace(p.Name)
	if name == "" || nameRE.FindString(name) != name {
		return "", fmt.Errorf("%q is not a Python distribution name", p.Name)
	}
	spec := strings.TrimSpace(p.Spec)
	switch {
	case spec == "":
		return name, nil
	case strings.ContainsAny(spec, "\n\r#") || strings.ContainsFunc(spec, unicode.IsControl) || !utf8.ValidString(spec):
		return "", fmt.Errorf("%s: %q is not a version specifier", name, p.Spec)
	case spec[0] >= '0' && spec[0] <= '9':
		return name + "==" + spec, nil
	case strings.ContainsRune("<>=!~[;@", rune(spec[0])):
		return name + spec, nil
	}
	return "", fmt.Errorf("%s: %q is not a version specifier (try \"==1.0\" or \">=1.0\")", name, p.Spec)
}

// projectDependencies reads pyproject.toml's [project] dependencies. Keys
// are matched exactly, as TOML defines them: a struct decode would also
// take "Dependencies" or "dependencieS", and with two such keys whichever
// the decoder met last.
func projectDependencies(text string) ([]string, error) {
	var doc map[string]any
	if _, err := toml.Decode(text, &doc); err != nil {
		return nil, fmt.Errorf("pyproject.toml: %w", err)
	}
	project, ok := doc["project"].(map[string]any)
	if !ok {
		if _, there := doc["project"]; there {
			return nil, fmt.Errorf("pyproject.toml: project is not a table")
		}
		return nil, nil
	}
	raw, there := project["dependencies"]
	if !there {
		return nil, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, fmt.Errorf("pyproject.toml: [project] dependencies is not an array")
	}
	deps := make([]string, 0, len(list))
	for i, v := range list {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("pyproject.toml: [project] dependencies[%d] is not a string", i)
		}
		deps = append(deps, s)
	}
	return deps, nil
}

func hasProjectTable(data []byte) bool {
	var doc map[string]any
	if _, err := toml.Decode(string(data), &doc); err != nil {
		return projectHeaderRE.Match(data) // a broken file: say so when read
	}
	_, ok := doc["project"]
	return ok
}

var projectHeaderRE = regexp.MustCompile(`(?m)^\s*\[\s*project\s*\]`)
