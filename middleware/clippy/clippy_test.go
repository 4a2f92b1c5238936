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
