package packager3_test

// ecosystem is what the scenarios need to know of one backend and the
// tiny packages the local registries hold for it.
type ecosystem struct {
	name       string
	program    map[string]string // code that imports pkg and prints its greeting
	pkg        string            // the package the program imports
	installed  string            // what the program prints once pkg is installed
	spec, lock string            // "" for no lock file
	specHas    string            // what the spec file holds once pkg is added
	lockHas    []string          // what the lock file holds once pkg is added
	// for the concurrent scenario: the workspace first has x; one client
	// adds y while another removes x; the spec then lists exactly yListed.
	x, y, yListed string
	slow          string // a package whose install waits for the gate
	gate          string // the registries' gate that holds it
	missingErr    string // the tool's words for a missing package
}

var ecosystems = []ecosystem{
	{
		name:      "nodejs",
		program:   map[string]string{"index.js": "console.log(require('tiny-a'))\n"},
		pkg:       "tiny-a",
		installed: "hello from tiny-a 1.0.0",
		spec:      "package.json", lock: "package-lock.json",
		specHas: `"tiny-a": "^1.0.0"`,
		lockHas: []string{`"node_modules/tiny-a"`, `"node_modules/tiny-b"`},
		x:       "tiny-b 1.0.0", y: "tiny-a", yListed: "tiny-a ^1.0.0",
		slow: "slow-install", gate: "npm",
		missingErr: "npm error 404 Not Found - GET",
	},
	{
		name:      "python",
		program:   map[string]string{"main.py": "import tiny_pkg\nprint(tiny_pkg.GREETING)\n"},
		pkg:       "tiny-pkg",
		installed: "hello from tiny-pkg 1.0.0",
		spec:      "requirements.txt",
		specHas:   "tiny-pkg\n",
		x:         "tiny-dep", y: "tiny-pkg 0.9.0", yListed: "tiny-pkg ==0.9.0",
		slow: "slow-pkg", gate: "pip",
		missingErr: "ERROR: No matching distribution found for no-such-pkg",
	},
	{
		name:      "go",
		program:   map[string]string{"main.go": "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.test/tiny\"\n)\n\nfunc main() { fmt.Println(tiny.Greeting) }\n"},
		pkg:       "example.test/tiny",
		installed: "hello from example.test/tiny v1.1.0",
		spec:      "go.mod", lock: "go.sum",
		specHas: "example.test/tiny v1.1.0",
		lockHas: []string{"example.test/tiny v1.1.0 h1:", "example.test/dep v1.0.0/go.mod h1:"},
		x:       "example.test/dep", y: "example.test/tiny v1.0.0", yListed: "example.test/tiny v1.0.0",
		slow: "example.test/slow", gate: "go",
		missingErr: "example.test/no-such-pkg",
	},
}

// missing is each ecosystem's name of a package no registry has.
func (e ecosystem) missing() string {
	if e.name == "go" {
		return "example.test/no-such-pkg"
	}
	return "no-such-pkg"
}
