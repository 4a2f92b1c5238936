package python

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/pid1/pid1/internal/packager"
)

// The fuzzers of what the Python backend reads from the workspace (its
// code, pyproject.toml, requirements.txt) and from an index.

// FuzzImports: any source gives absolute module names only, each once.
func FuzzImports(f *testing.F) {
	f.Add("import os, sys as s\nfrom bs4 import X  # upm package(beautifulsoup4)\nfrom . import y\n")
	f.Add("import a, \\\n b\nimport (c)\nimport d; import e\n")
	f.Add("from google.protobuf import message\nimport 1bad\n")
	f.Fuzz(func(t *testing.T, src string) {
		seen := map[string]bool{}
		for _, im := range Imports(src) {
			if !moduleRE.MatchString(im.Module) || seen[im.Module] {
				t.Fatalf("module %q (seen %v) from %q", im.Module, seen[im.Module], src)
			}
			seen[im.Module] = true
			if d := Distribution(im.Module); strings.ContainsAny(d, " \n") {
				t.Fatalf("distribution %q of %q", d, im.Module)
			}
		}
	})
}

// tomlWithout is a TOML document decoded, without [project] dependencies.
func tomlWithout(text string) (map[string]any, bool) {
	var doc map[string]any
	if _, err := toml.Decode(text, &doc); err != nil {
		return nil, false
	}
	if p, ok := doc["project"].(map[string]any); ok {
		delete(p, "dependencies")
	}
	return doc, true
}

// FuzzPyproject: rewriting [project] dependencies in any file either
// fails or gives a file that holds exactly the new requirements and
// otherwise the same document; in a plain file, any requirement that
// requirement() accepts can be written.
func FuzzPyproject(f *testing.F) {
	f.Add("[project]\nname = \"app\"\ndependencies = [\n  \"flask\", # web ]\n  'a]b',\n]\n", "tiny-pkg", ">=1")
	f.Add("[project]\nname = \"app\"\ndependencies = [\"flask\"]\n[tool.x]\ndependencies = []\n", "requests", "2.0")
	f.Add("[build-system]\nrequires = []\n[project]", "x", "")
	f.Add("[project]\ndependencies = '''\n]'''\n", "a", "[b]")
	f.Add("[project]\ndependencies = [\"\"\"a\n]\"\"\"]\n[[x]]\n[project]\n", "a", "~=1")
	f.Fuzz(func(t *testing.T, text, name, specifier string) {
		req, err := requirement(packager.Pkg{Name: name, Spec: specifier})
		if err != nil {
			req = "tiny-pkg>=1"
		}
		reqs := []string{"flask", req}
		if out, err := renderPyproject(text, reqs); err == nil {
			got, err := projectDependencies(out)
			if err != nil || !slices.Equal(got, reqs) {
				t.Fatalf("wrote %q, read back %q, %v", out, got, err)
			}
			before, ok := tomlWithout(text)
			after, _ := tomlWithout(out)
			if ok && !reflect.DeepEqual(before, after) {
				t.Fatalf("%q became %q: %v != %v", text, out, before, after)
			}
		}
		plain := "[project]\nname = \"app\"\n"
		if out, err := renderPyproject(plain, reqs); err != nil {
			t.Fatalf("cannot write %q: %v", reqs, err)
		} else if got, _ := projectDependencies(out); !slices.Equal(got, reqs) {
			t.Fatalf("wrote %q, read back %q", out, got)
		}
	})
}

// FuzzRequirements: adding a requirement to any requirements.txt and
// reading it back gives what was written; comments and options stay.
func FuzzRequirements(f *testing.F) {
	f.Add("# deps\n--index-url http://x/simple\nFlask==2.0  # web\nrequests\n\nnumpy>=1", "flask", ">=3")
	f.Add("a\na\nA_b\n", "a-b", "1.0")
	f.Add("", "x", "")
	f.Add("-r other.txt\r\nx \\\n", "y", "[z]")
	f.Fuzz(func(t *testing.T, text, name, specifier string) {
		req, err := requirement(packager.Pkg{Name: name, Spec: specifier})
		if err != nil {
			return
		}
		read := func(text string) []string {
			var reqs []string
			for _, l := range strings.Split(text, "\n") {
				if r := requirementLine(l); r != "" {
					reqs = append(reqs, r)
				}
			}
			return reqs
		}
		old := spec{file: requirements, exists: true, text: text, reqs: read(text)}
		added := old.with(req)
		out := renderRequirements(old, added.reqs)
		// Each distribution once, at its first place.
		var want []string
		for _, r := range added.reqs {
			n, _ := splitRequirement(r)
			if !slices.ContainsFunc(want, func(w string) bool { wn, _ := splitRequirement(w); return normalize(wn) == normalize(n) }) {
				want = append(want, r)
			}
		}
		if got := read(out); !slices.Equal(got, want) {
			t.Fatalf("%q plus %q wrote %q, which reads %q, want %q", text, req, out, got, want)
		}
		for _, l := range strings.Split(text, "\n") {
			if requirementLine(l) == "" && strings.TrimSpace(l) != "" && !strings.Contains(out, l) {
				t.Fatalf("%q plus %q lost the line %q: %q", text, req, l, out)
			}
		}
	})
}

// FuzzIndexAnswers: whatever an index answers, reading it does not fail
// badly and versions compare consistently.
func FuzzIndexAnswers(f *testing.F) {
	f.Add(`<a href="/simple/tiny-pkg/">tiny-pkg</a><a href='x.whl' data-core-metadata>x</a>`, "1.0rc1", "1.0.post2")
	f.Add(`{"projects":[{"name":"a"}],"info":{"name":"a","requires_dist":["b; extra == 'c'"]}}`, "v2!1.0", "1.0.0.dev3")
	f.Add("Name: x\nVersion: 1\nProject-URL: Source, http://s\n continued\n\nbody", "99999999999999999999", "1..2")
	f.Fuzz(func(t *testing.T, body, a, b string) {
		anchors(body)
		projectNames([]byte(body))
		parseJSONInfo([]byte(body))
		parseMetadata(body).pkg()
		indexFromConfig(body)
		parsePipList([]byte(body))
		versionOf("x", body)
		if ab, ba := compareVersions(a, b), compareVersions(b, a); (ab < 0) != (ba > 0) || (ab == 0) != (ba == 0) {
			t.Fatalf("compareVersions(%q, %q) = %d but the other way %d", a, b, ab, ba)
		}
	})
}
