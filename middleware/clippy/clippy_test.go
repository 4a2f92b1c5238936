package clippy

import (
	"strings"
	"testing"
)

func TestRulesParse(t *testing.T) {
	if len(Default) < 5 {
		t.Fatalf("%d default rules", len(Default))
	}
	for _, bad := range []string{"[[rule]]\nlanguage = \"x\"", "[[rule]]\nlanguage = \"x\"\npattern = \"(\"\nhint = \"h\"", "rule = 3"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestMatching(t *testing.T) {
	c := Wrap(nil, Default)
	if h := c.match("ReferenceError: window is not defined"); h != nil {
		t.Fatalf("hinted before any language was set: %v", h)
	}
	c.SetLanguage("nodejs")
	// The pattern spans two messages.
	if h := c.match("ReferenceError: window is no"); h != nil {
		t.Fatalf("early hint %v", h)
	}
	h := c.match("t defined\n    at index.js:1")
	if len(h) != 1 || !strings.Contains(h[0], "window browser API") {
		t.Fatalf("hints %v", h)
	}
	if h := c.match("window is not defined"); h != nil {
		t.Fatalf("fired twice in one run: %v", h)
	}
	c.SetLanguage("python3")
	h = c.match("ModuleNotFoundError: No module named 'numpy'\n")
	if len(h) != 1 || !strings.Contains(h[0], "pip install numpy") {
		t.Fatalf("hints %v", h)
	}
	if h := c.match("window is not defined"); h != nil {
		t.Fatalf("a nodejs rule fired for python3: %v", h)
	}
}

// The hints about a missing module name the package the packager would
// add for it.
func TestMissingModuleHintsNameThePackage(t *testing.T) {
	for _, c := range []struct{ lang, output, want string }{
		{"python3", "ModuleNotFoundError: No module named 'yaml'\n", "The module yaml comes from the package PyYAML, which is not installed. Add PyYAML with the packager, or run pip install PyYAML in the shell."},
		{"python3", "ModuleNotFoundError: No module named 'google.protobuf'\n", "pip install protobuf "},
		{"python3", "ModuleNotFoundError: No module named 'tiny_pkg'\n", "pip install tiny_pkg "},
		{"nodejs", "Error: Cannot find module 'lodash/fp'\nRequire stack:", "The package lodash is not installed. Add it with the packager, or run npm install lodash in the shell."},
		{"nodejs", "Error: Cannot find module '@scope/pkg/deep'\n", "npm install @scope/pkg "},
		{"go", "main.go:6:2: no required module provides package example.test/tiny; to add it:\n", "go.mod does not require a module that provides example.test/tiny. Add it with the packager, or run go get example.test/tiny in the shell."},
	} {
		h := Wrap(nil, Default)
		h.SetLanguage(c.lang)
		got := h.match(c.output)
		if len(got) != 1 || !strings.Contains(got[0]+" ", c.want) {
			t.Errorf("%s %q: hints %q, want one with %q", c.lang, c.output, got, c.want)
		}
	}
	for _, bad := range []string{"[[rule]]\nlanguage = \"x\"\npattern = \"(x)\"\nhint = \"h\"\npackage = \"cobol\"",
		"[[rule]]\nlanguage = \"x\"\npattern = \"x\"\nhint = \"h\"\npackage = \"python\""} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}
