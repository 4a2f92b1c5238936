package python

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pid1/pid1/internal/packager"
)

func TestImports(t *testing.T) {
	src := "import os, sys as system\n" +
		"import numpy.linalg  # upm package(numpy)\n" +
		"from bs4 import BeautifulSoup\n" +
		"from . import sibling\n" +
		"from .pkg import thing\n" +
		"from google.protobuf import message\n" +
		"import yaml; import json\n" +
		"x = 'import nothing'\n" +
		"import a, \\\n    b\n" +
		"    import indented\n" +
		"import os\n"
	var got []string
	for _, im := range Imports(src) {
		got = append(got, im.Module+"|"+im.Pragma)
	}
	want := []string{"os|", "sys|", "numpy.linalg|numpy", "bs4|", "google.protobuf|", "yaml|", "a|", "b|", "indented|"}
	if !slices.Equal(got, want) {
		t.Errorf("Imports:\n got %q\nwant %q", got, want)
	}
}

func TestDistribution(t *testing.T) {
	for mod, want := range map[string]string{
		"yaml": "PyYAML", "bs4": "beautifulsoup4", "PIL.Image": "Pillow", "cv2": "opencv-python",
		"sklearn.linear_model": "scikit-learn", "google.protobuf.message": "protobuf",
		"google.generativeai": "google-generativeai", "google": "", "google.cloud.storage": "",
		"__future__": "", "requests": "requests", "flask.json": "flask",
	} {
		if got := Distribution(mod); got != want {
			t.Errorf("Distribution(%q) = %q, want %q", mod, got, want)
		}
	}
}

func TestRequirement(t *testing.T) {
	for _, c := range []struct{ name, spec, want, err string }{
		{"requests", "", "requests", ""},
		{"requests", "2.31", "requests==2.31", ""},
		{"requests", ">=2,<3", "requests>=2,<3", ""},
		{"requests", "[socks]", "requests[socks]", ""},
		{" tiny-pkg ", " ~=1.0 ", "tiny-pkg~=1.0", ""},
		{"requests; rm -rf", "", "", "not a Python distribution name"},
		{"-e", "", "", "not a Python distribution name"},
		{"requests", "latest", "", "not a version specifier"},
		{"requests", "==1\n--index-url http://evil", "", "not a version specifier"},
		{"requests", "==1 # x", "", "not a version specifier"},
		{"requests", "==1\x00", "", "not a version specifier"},
	} {
		got, err := requirement(packager.Pkg{Name: c.name, Spec: c.spec})
		if got != c.want || (err == nil) != (c.err == "") || err != nil && !strings.Contains(err.Error(), c.err) {
			t.Errorf("requirement(%q, %q) = %q, %v; want %q, %q", c.name, c.spec, got, err, c.want, c.err)
		}
	}
}

func TestRenderRequirements(t *testing.T) {
	old := "# the app's requirements\n--index-url http://127.0.0.1/simple/\nFlask==2.0  # web\nrequests\n\nnumpy>=1\n"
	s := spec{file: requirements, exists: true, text: old}
	for _, l := range strings.Split(old, "\n") {
		if r := requirementLine(l); r != "" {
			s.reqs = append(s.reqs, r)
		}
	}
	if want := []string{"Flask==2.0", "requests", "numpy>=1"}; !slices.Equal(s.reqs, want) {
		t.Fatalf("read %q, want %q", s.reqs, want)
	}
	got := renderRequirements(s, s.with("flask>=3").without("Requests").with("tiny_pkg").reqs)
	want := "# the app's requirements\n--index-url http://127.0.0.1/simple/\nflask>=3\n\nnumpy>=1\ntiny_pkg\n"
	if got != want {
		t.Errorf("render:\n got %q\nwant %q", got, want)
	}
	if got := renderRequirements(spec{file: requirements}, []string{"a"}); got != "a\n" {
		t.Errorf("new file: %q", got)
	}
	if got := renderRequirements(spec{file: requirements, exists: true, text: "a"}, []string{"a", "b"}); got != "a\nb" {
		t.Errorf("no trailing newline: %q", got)
	}
}

func TestRenderPyproject(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"one line", "[project]\nname = \"app\"\ndependencies = [\"flask\"]\n\n[tool.x]\ndependencies = [1]\n",
			"[project]\nname = \"app\"\ndependencies = [\"flask\", \"tiny-pkg>=1\"]\n\n[tool.x]\ndependencies = [1]\n"},
		{"multi-line with comments", "[project]\nname = \"app\"\ndependencies = [\n  \"flask\", # web ]\n  'a]b',\n]\nversion = \"1\"\n",
			"[project]\nname = \"app\"\ndependencies = [\n  \"flask\",\n  \"tiny-pkg>=1\",\n]\nversion = \"1\"\n"},
		{"no dependencies", "[build-system]\nrequires = []\n[project]\nname = \"app\"\n",
			"[build-system]\nrequires = []\n[project]\ndependencies = [\"flask\", \"tiny-pkg>=1\"]\nname = \"app\"\n"},
		{"header at the end", "[project]", "[project]\ndependencies = [\"flask\", \"tiny-pkg>=1\"]\n"},
		// TOML keys are case-sensitive: a key spelled otherwise is another key.
		{"a key in other case", "[project]\ndependencieS = []\n",
			"[project]\ndependencies = [\"flask\", \"tiny-pkg>=1\"]\ndependencieS = []\n"},
	} {
		got, err := renderPyproject(c.in, []string{"flask", "tiny-pkg>=1"})
		if err != nil || got != c.want {
			t.Errorf("%s: got %q, %v\nwant %q", c.name, got, err, c.want)
		}
	}
	for name, in := range map[string]string{
		"no project table": "[tool.poetry]\nname = \"x\"\n",
		"dotted key":       "[project]\nname = \"x\"\n[project.dependencies]\n",
		"not an array":     "[project]\ndependencies = \"flask\"\n",
		"unterminated":     "[project]\ndependencies = [\"flask\"\n",
	} {
		if got, err := renderPyproject(in, []string{"flask"}); err == nil {
			t.Errorf("%s: no error, wrote %q", name, got)
		}
	}
}

func TestIndexAnswers(t *testing.T) {
	page := `<!DOCTYPE html><html><body>
<a href="/simple/tiny-pkg/">tiny-pkg</a>
<A HREF='../tiny-dep/' data-x>tiny_dep</A>
<a href="/files/tiny_pkg-1.0.0-py3-none-any.whl#sha256=ab" data-dist-info-metadata="sha256=cd">tiny_pkg-1.0.0-py3-none-any.whl</a>
<a name="no-href">x</a>
</body></html>`
	as := anchors(page)
	if len(as) != 3 || as[1].href != "../tiny-dep/" || as[1].attrs["data-x"] != "true" || as[2].attrs["data-dist-info-metadata"] != "sha256=cd" {
		t.Errorf("anchors: %+v", as)
	}
	if got := projectNames([]byte(page)); !slices.Equal(got, []string{"tiny-pkg", "tiny_dep", "tiny_pkg-1.0.0-py3-none-any.whl"}) {
		t.Errorf("projectNames(html) = %q", got)
	}
	if got := projectNames([]byte(`{"meta":{"api-version":"1.0"},"projects":[{"name":"a"},{"name":"B_c"}]}`)); !slices.Equal(got, []string{"a", "B_c"}) {
		t.Errorf("projectNames(json) = %q", got)
	}
	if got := matching([]string{"tiny-pkg", "Tiny_Dep", "not-tiny", "tiny.pkg", "other"}, "tiny"); !slices.Equal(got, []string{"Tiny_Dep", "tiny-pkg", "not-tiny"}) {
		t.Errorf("matching = %q", got)
	}
	fs := []file{{name: "tiny_pkg-0.9.0-py3-none-any.whl"}, {name: "tiny_pkg-1.0.0rc1-py3-none-any.whl"},
		{name: "tiny-pkg-1.0.0.tar.gz"}, {name: "tiny_pkg-1.0.0-py3-none-any.whl"}, {name: "other-2.0-py3-none-any.whl"}, {name: "README"}}
	if v, files := newest("Tiny.Pkg", fs); v != "1.0.0" || len(files) != 2 {
		t.Errorf("newest = %q %v", v, files)
	}
	m := parseMetadata("Metadata-Version: 2.1\r\nName: tiny-pkg\r\nVersion: 1.0.0\r\nSummary: A tiny\r\n  test distribution\r\n" +
		"Author: Ada\r\nAuthor-email: ada@example.test\r\nLicense: MIT\r\nProject-URL: Source, http://example.test/src\r\n" +
		"Project-URL: Bug Tracker, http://example.test/issues\r\nRequires-Dist: tiny-dep\r\nRequires-Dist: pytest; extra == \"test\"\r\n\r\nName: not-a-header\r\n")
	want := packager.Pkg{Name: "tiny-pkg", Version: "1.0.0", Description: "A tiny test distribution", Source: "http://example.test/src",
		BugTracker: "http://example.test/issues", Author: "Ada <ada@example.test>", License: "MIT", Dependencies: []string{"tiny-dep"}}
	if got := m.pkg(); !reflect.DeepEqual(got, want) {
		t.Errorf("metadata:\n got %+v\nwant %+v", got, want)
	}
	p, err := parseJSONInfo([]byte(`{"info":{"name":"tiny-pkg","version":"1.0.0","summary":"s","home_page":"http://h","docs_url":null,
		"project_urls":{"Documentation":"http://d"},"requires_dist":["tiny-dep (>=1)","x; extra == 'y'"]}}`))
	if err != nil || p.Homepage != "http://h" || p.Documentation != "http://d" || !slices.Equal(p.Dependencies, []string{"tiny-dep"}) {
		t.Errorf("parseJSONInfo = %+v, %v", p, err)
	}
	if _, err := parseJSONInfo([]byte(`<html>`)); err == nil {
		t.Error("parseJSONInfo of HTML: no error")
	}
	if got := indexFromConfig("global.index-url='http://g/simple'\n:env:.index-url='http://e/simple'\ninstall.index-url=\"http://i\"\n"); got != "http://e/simple" {
		t.Errorf("indexFromConfig = %q", got)
	}
	if u, ok := jsonAPI("http://127.0.0.1:1/pypi/simple/", "Tiny_Pkg"); !ok || u != "http://127.0.0.1:1/pypi/pypi/tiny-pkg/json" {
		t.Errorf("jsonAPI = %q %v", u, ok)
	}
}

func TestCompareVersions(t *testing.T) {
	ordered := []string{"0.9", "1.0.dev1", "1.0a1", "1.0b2", "1.0rc1", "1.0", "1.0.post1", "1.0.1", "1.10", "2!0.1"}
	for i := range ordered {
		for j := range ordered {
			got := compareVersions(ordered[i], ordered[j])
			if (i < j) != (got < 0) || (i == j) != (got == 0) {
				if ordered[i] == "2!0.1" || ordered[j] == "2!0.1" {
					continue // epochs are dropped: 2!0.1 sorts as 0.1
				}
				t.Errorf("compareVersions(%q, %q) = %d", ordered[i], ordered[j], got)
			}
		}
	}
	if compareVersions("1.0", "1.0.0") != 0 || compareVersions("v1.2", "1.2") != 0 {
		t.Error("1.0 != 1.0.0 or v1.2 != 1.2")
	}
}
