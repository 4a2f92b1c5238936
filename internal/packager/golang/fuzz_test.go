package golang

import (
	"testing"

	"golang.org/x/mod/module"
)

// FuzzImports: any source gives import paths, each once (a path the go
// command could not take reaches arg, which refuses it).
func FuzzImports(f *testing.F) {
	f.Add("package main\nimport (\n\t\"fmt\"\n\t_ \"example.test/x\" // upm package(example.test/y)\n)\n")
	f.Add("package p; import \"a\"; import . \"b\"")
	f.Add("package p\nimport \"\\x00\"\n")
	f.Fuzz(func(t *testing.T, src string) {
		seen := map[string]bool{}
		for _, p := range Imports(src) {
			if seen[p] {
				t.Fatalf("%q twice from %q", p, src)
			}
			seen[p] = true
		}
	})
}

// FuzzSum: any go.sum gives module versions, each once.
func FuzzSum(f *testing.F) {
	f.Add("example.test/tiny v1.1.0 h1:abc=\nexample.test/tiny v1.1.0/go.mod h1:def=\n")
	f.Add("a b c\na b c\n\n  x  ")
	f.Fuzz(func(t *testing.T, sum string) {
		seen := map[string]bool{}
		for _, p := range parseSum(sum) {
			if p.Name == "" || p.Version == "" || seen[p.Name+"@"+p.Version] {
				t.Fatalf("%+v from %q", p, sum)
			}
			seen[p.Name+"@"+p.Version] = true
		}
	})
}

// FuzzModuleName: any workspace name gives a valid module path.
func FuzzModuleName(f *testing.F) {
	f.Add("My Repl")
	f.Add("...")
	f.Fuzz(func(t *testing.T, name string) {
		if n := moduleName(name); module.CheckPath(n) != nil && module.CheckImportPath(n) != nil {
			t.Fatalf("moduleName(%q) = %q, not a module path", name, n)
		}
	})
}
