package golang

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pid1/pid1/internal/packager"
)

func TestImports(t *testing.T) {
	src := "package main\n\nimport (\n\t\"fmt\"\n\tt \"example.test/tiny\"\n\t\"example.test/tiny\"\n\t_ \"example.test/other/sub\" // upm package(example.test/other)\n)\n\nfunc main() { fmt.Println(t.Greeting) }\n"
	if got, want := Imports(src), []string{"fmt", "example.test/tiny", "example.test/other"}; !slices.Equal(got, want) {
		t.Errorf("Imports = %q, want %q", got, want)
	}
	if got := Imports("not go"); got != nil {
		t.Errorf("Imports of what does not parse = %q", got)
	}
	for p, want := range map[string]bool{"fmt": true, "net/http": true, "example.test/x": false, "github.com/a/b": false} {
		if standard(p) != want {
			t.Errorf("standard(%q) = %v", p, !want)
		}
	}
	if !within("example.test/a/b", "example.test/a") || within("example.test/ab", "example.test/a") {
		t.Error("within")
	}
}

func TestArgAndModuleName(t *testing.T) {
	for _, c := range []struct{ name, spec, want, err string }{
		{"example.test/tiny", "", "example.test/tiny", ""},
		{" example.test/tiny ", "v1.0.0", "example.test/tiny@v1.0.0", ""},
		{"example.test/tiny", "latest", "example.test/tiny@latest", ""},
		{"-x", "", "", "not a Go module or package path"},
		{"example.test/tiny", "v1 -modfile=x", "", "not a version"},
		{"example.test/tiny", "@v1", "", "not a version"},
	} {
		got, err := arg(packager.Pkg{Name: c.name, Spec: c.spec})
		if got != c.want || (err == nil) != (c.err == "") || err != nil && !strings.Contains(err.Error(), c.err) {
			t.Errorf("arg(%q, %q) = %q, %v; want %q, %q", c.name, c.spec, got, err, c.want, c.err)
		}
	}
	for in, want := range map[string]string{"My Repl": "my-repl", "app": "app", "...": "workspace", "": "workspace", "Ünïcode!": "n-code"} {
		if got := moduleName(in); got != want {
			t.Errorf("moduleName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseSum(t *testing.T) {
	sum := "example.test/tiny v1.1.0 h1:abc=\nexample.test/tiny v1.1.0/go.mod h1:def=\nexample.test/dep v1.0.0 h1:x=\nexample.test/dep v1.0.0 h1:x=\ngarbage\n"
	want := []packager.Pkg{{Name: "example.test/dep", Version: "v1.0.0"}, {Name: "example.test/tiny", Version: "v1.1.0"}}
	if got := parseSum(sum); !reflect.DeepEqual(got, want) {
		t.Errorf("parseSum = %+v", got)
	}
	for out, want := range map[string]bool{
		"go: example.test/nope@latest: reading file:///x/example.test/nope/@v/list: no such file or directory": true,
		"go: module example.test/nope: 410 Gone":                   true,
		"go: example.test/x@v9: invalid version: unknown revision": false,
	} {
		if notFound(out) != want {
			t.Errorf("notFound(%q) = %v", out, !want)
		}
	}
}
