package ranna

import (
	"encoding/json"
	"strings"

	"github.com/pid1/pid1/engines"
)

// spec is one language of the spec map, as ranna lists it. Aliases have
// only Use.
type spec struct {
	Image      string  `json:"image,omitempty"`
	Entrypoint string  `json:"entrypoint,omitempty"`
	FileName   string  `json:"filename,omitempty"`
	Cmd        string  `json:"cmd,omitempty"`
	Use        string  `json:"use,omitempty"`
	Language   string  `json:"language,omitempty"`
	Example    string  `json:"example,omitempty"`
	Inline     *Inline `json:"inline,omitempty"`
	// Version is what the toolchain reports (not one of ranna's fields).
	Version string `json:"version,omitempty"`
}

// name is one of ranna's language names and the runner behind it.
type name struct {
	ranna   string   // ranna's name
	runner  string   // the built-in runner's id
	aliases []string // ranna's other names for it ("use")
	lang    string   // for syntax highlighting
	inline  *Inline
}

// names are the languages ranna's clients know, by ranna's names, with
// the runners that run them here.
var names = []name{
	{ranna: "python3", runner: "python", aliases: []string{"python", "py"}, lang: "python"},
	{ranna: "golang", runner: "go", aliases: []string{"go"}, lang: "go", inline: goInline},
	{ranna: "c", runner: "c_gcc", lang: "c", inline: cInline},
	{ranna: "cpp", runner: "cpp_gcc", aliases: []string{"c++"}, lang: "cpp", inline: cppInline},
	{ranna: "node", runner: "javascript_node", aliases: []string{"javascript", "js", "nodejs"}, lang: "javascript"},
	{ranna: "bash", runner: "bash", aliases: []string{"sh", "ash"}, lang: "bash"},
	{ranna: "zsh", runner: "zsh", lang: "bash"},
	{ranna: "rust", runner: "rust", lang: "rust", inline: rustInline},
	{ranna: "openjdk", runner: "java_openjdk", aliases: []string{"java"}, lang: "java", inline: javaInline},
	{ranna: "php", runner: "php", lang: "php", inline: phpInline},
	{ranna: "ruby", runner: "ruby", lang: "ruby"},
	{ranna: "perl", runner: "perl", lang: "perl"},
	{ranna: "lua", runner: "lua", lang: "lua"},
	{ranna: "asymptote", runner: "asymptote", aliases: []string{"asy"}, lang: "asymptote"},
}

// Specs is the spec map of the languages an engine has: ranna's names of
// the available runners, and their aliases. It is read-only, safe for
// concurrent use.
type Specs struct {
	byName map[string]*spec
	runner map[string]string // a primary name's runner id
}

// NewSpecs builds the spec map of langs (an engine's Languages).
func NewSpecs(langs []engines.Language) *Specs {
	byID := make(map[string]engines.Language, len(langs))
	for _, l := range langs {
		if l.Available {
			byID[l.ID] = l
		}
	}
	s := &Specs{byName: map[string]*spec{}, runner: map[string]string{}}
	for _, n := range names {
		l, ok := byID[n.runner]
		if !ok {
			continue
		}
		sp := &spec{Image: l.Image, FileName: l.File, Cmd: l.Command, Language: n.lang, Inline: n.inline, Version: l.Version}
		sp.Entrypoint, _, _ = strings.Cut(l.Command, " ")
		if l.HelloWorld != nil {
			sp.Example = l.HelloWorld.Code
		}
		s.byName[n.ranna] = sp
		s.runner[n.ranna] = n.runner
		for _, a := range n.aliases {
			s.byName[a] = &spec{Use: n.ranna}
		}
	}
	return s
}

// lookup resolves a language name, following its alias, to the primary
// name's spec and runner id.
func (s *Specs) lookup(lang string) (*spec, string, bool) {
	sp, ok := s.byName[lang]
	if !ok {
		return nil, "", false
	}
	if sp.Use != "" {
		lang = sp.Use
		sp = s.byName[lang]
	}
	return sp, s.runner[lang], true
}

// MarshalJSON is the spec map as GET /v1/spec answers it.
func (s *Specs) MarshalJSON() ([]byte, error) { return json.Marshal(s.byName) }
