package nodejs

import (
	"testing"
)

// The fuzzers of what the Node.js backend reads from the workspace (its
// code, package-lock.json) and from a registry.

// FuzzImports: any source gives package names npm would take, each once.
func FuzzImports(f *testing.F) {
	f.Add("const a = require('tiny-a')\nimport { x,\n y } from '@scope/pkg/deep'\nimport './local'\n")
	f.Add("import fs from 'node:fs'\nexport * from \"x?y\"\nrequire(`tpl`) // upm package(a b)\n")
	f.Add("import {\n/* never closed")
	f.Fuzz(func(t *testing.T, src string) {
		seen := map[string]bool{}
		for _, n := range Imports(src) {
			if err := checkName(n); err != nil || seen[n] {
				t.Fatalf("%q (seen %v): %v, from %q", n, seen[n], err, src)
			}
			seen[n] = true
		}
	})
}

// FuzzRegistryAnswers: whatever a registry answers (or package-lock.json
// holds), reading it gives an error or packages with names, never a
// panic.
func FuzzRegistryAnswers(f *testing.F) {
	f.Add(`{"objects":[{"package":{"name":"a","author":{"name":"x"},"license":[[["MIT"]]],"repository":[{"url":"u"}]}}]}`)
	f.Add(`{"name":"a","dist-tags":{"latest":"1"},"versions":{"1":{"dependencies":{"b":"1"},"bugs":{"url":5}}}}`)
	f.Add(`{"lockfileVersion":3,"packages":{"node_modules/a":{"version":"1"}}}`)
	f.Fuzz(func(t *testing.T, body string) {
		if pkgs, err := parseSearch([]byte(body)); err == nil {
			for _, p := range pkgs {
				if p.Name == "" {
					t.Fatalf("a result without a name from %q", body)
				}
			}
		}
		if p, err := parseDocument([]byte(body)); err == nil && p.Name == "" {
			t.Fatalf("a document without a name from %q", body)
		}
		parseLock([]byte(body))
	})
}
