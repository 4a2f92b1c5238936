package lsp

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/pid1/pid1/internal/jobs"
	"github.com/pid1/pid1/internal/language"
)

// server is a language server to run.
type server struct {
	name string   // what messages call it: the .replit id, or the program
	argv []string // argv[0] is looked up in the user's PATH
}

func (s server) same(o server) bool {
	return strings.Join(s.argv, "\x00") == strings.Join(o.argv, "\x00")
}

// builtin are the servers pid1 knows by language: pylsp (Debian's
// python3-pylsp), gopls (the Go module proxy), typescript-language-server
// (npm) and clangd (Debian).
var builtin = map[string][]string{
	"python3": {"pylsp"},
	"go":      {"gopls"},
	"nodejs":  {"typescript-language-server", "--stdio"},
	"c":       {"clangd"},
}

// canonical names a language the way builtin does.
func canonical(lang string) string {
	switch l := strings.ToLower(strings.TrimSpace(lang)); l {
	case "python", "python3", "py":
		return "python3"
	case "go", "golang":
		return "go"
	case "nodejs", "node", "javascript", "js", "typescript", "ts":
		return "nodejs"
	case "c", "cpp", "c++", "clang":
		return "c"
	default:
		return l
	}
}

// known lists the languages with a built-in server, for error messages.
func known() string {
	var ls []string
	for l := range builtin {
		ls = append(ls, l)
	}
	sort.Strings(ls)
	return strings.Join(ls, ", ")
}

// errNoServer is a workspace whose language has no server.
var errNoServer = errors.New("no language server for this workspace")

// resolve picks the server for startLSP {language, languageServerId}, or,
// with both empty, the workspace's own: the .replit's
// [languages.ID.languageServer] first (by id, then by language), then the
// built-in server of the language.
func resolve(deps jobs.Deps, lang, id string) (server, error) {
	configured, err := language.Servers(deps.Workspace)
	if err != nil {
		return server{}, err
	}
	if id != "" {
		for _, s := range configured {
			if s.ID == id {
				return server{name: s.ID, argv: s.Start}, nil
			}
		}
		if lang == "" {
			lang = id
		}
	}
	if lang == "" {
		c, _ := language.Load(deps.Workspace, "", deps.Language)
		lang = c.Language
		if lang == "" && len(configured) == 1 {
			return server{name: configured[0].ID, argv: configured[0].Start}, nil
		}
		if lang == "" {
			return server{}, errNoServer
		}
	}
	for _, s := range configured {
		if canonical(s.ID) == canonical(lang) {
			return server{name: s.ID, argv: s.Start}, nil
		}
	}
	if argv, ok := builtin[canonical(lang)]; ok {
		return server{name: argv[0], argv: argv}, nil
	}
	return server{}, fmt.Errorf("no language server for %q: pid1 has one for %s, and a .replit may name others ([languages.ID.languageServer] start = \"...\")", lang, known())
}
