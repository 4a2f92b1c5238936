package ato

import (
	"encoding/json"

	"github.com/pid1/pid1/engines"
	"github.com/pid1/pid1/internal/msgpack"
)

// encodeMetadata is GET /api/v0/metadata: a msgpack map from language id
// to {name, image, version, url, sbcs, se_class}. The seed's API document
// spells the last key se_class; ATO's v0 server sent SE_class; a language
// with a class carries both, so readers of either find it.
func encodeMetadata(langs []engines.Language) []byte {
	b := msgpack.AppendMapHeader(nil, len(langs))
	for _, l := range langs {
		n := 5
		if l.SEClass != "" {
			n += 2
		}
		b = msgpack.AppendString(b, l.ID)
		b = msgpack.AppendMapHeader(b, n)
		for _, f := range [][2]string{{"name", l.Name}, {"image", l.Image}, {"version", l.Version}, {"url", l.URL}} {
			b = msgpack.AppendString(msgpack.AppendString(b, f[0]), f[1])
		}
		b = msgpack.AppendBool(msgpack.AppendString(b, "sbcs"), l.SBCS)
		if l.SEClass != "" {
			b = msgpack.AppendString(msgpack.AppendString(b, "se_class"), l.SEClass)
			b = msgpack.AppendString(msgpack.AppendString(b, "SE_class"), l.SEClass)
		}
	}
	return b
}

// jsonLanguage is one entry of /languages.json, in the shape of ATO's own.
type jsonLanguage struct {
	Name       string       `json:"name"`
	Image      string       `json:"image"`
	Version    string       `json:"version"`
	URL        string       `json:"url"`
	SBCS       bool         `json:"sbcs"`
	SEClass    string       `json:"se_class,omitempty"`
	HelloWorld *jsonExample `json:"hello_world,omitempty"`
}

type jsonExample struct {
	Code   string `json:"code"`
	Output string `json:"output"`
}

// encodeLanguagesJSON is GET /languages.json: language id → its entry.
func encodeLanguagesJSON(langs []engines.Language) ([]byte, error) {
	m := make(map[string]jsonLanguage, len(langs))
	for _, l := range langs {
		j := jsonLanguage{Name: l.Name, Image: l.Image, Version: l.Version, URL: l.URL, SBCS: l.SBCS, SEClass: l.SEClass}
		if l.HelloWorld != nil {
			j.HelloWorld = &jsonExample{Code: l.HelloWorld.Code, Output: l.HelloWorld.Output}
		}
		m[l.ID] = j
	}
	return json.MarshalIndent(m, "", "  ")
}
