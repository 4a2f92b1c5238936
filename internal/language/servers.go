package language

import (
	"errors"
	"fmt"
	"os"
	"sort"

	"github.com/BurntSushi/toml"

	"github.com/pid1/pid1/internal/fsroot"
)

// Server is a language server a .replit configures: the argv of its
// [languages.ID.languageServer] start (a string runs through sh -c).
type Server struct {
	ID    string // the key under [languages]
	Start []string
}

// Servers lists the language servers the workspace's .replit configures,
// sorted by ID; none without a .replit.
func Servers(ws *fsroot.Dir) ([]Server, error) {
	data, err := ws.Read(".replit")
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf(".replit: %w", err)
	}
	var r struct {
		Languages map[string]struct {
			LanguageServer struct {
				Start any `toml:"start"`
			} `toml:"languageServer"`
		} `toml:"languages"`
	}
	if _, err := toml.Decode(string(data), &r); err != nil {
		return nil, fmt.Errorf(".replit: %w", err)
	}
	var out []Server
	for id, l := range r.Languages {
		start, err := argv(l.LanguageServer.Start, "languages."+id+".languageServer.start", nil)
		if err != nil {
			return nil, err
		}
		if len(start) > 0 {
			out = append(out, Server{ID: id, Start: start})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}
