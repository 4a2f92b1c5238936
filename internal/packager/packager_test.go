package packager

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestPragma(t *testing.T) {
	for line, want := range map[string]string{
		"import yaml  # upm package(PyYAML)":            "PyYAML",
		"const a = require('a') // upm package( @s/a )": "@s/a",
		"import x # upm package(unclosed":               "",
		"import x":                                      "",
	} {
		if got := Pragma(line); got != want {
			t.Errorf("Pragma(%q) = %q, want %q", line, got, want)
		}
	}
}

func TestExplain(t *testing.T) {
	te := &ToolError{Argv: []string{"/usr/bin/npm", "install", "nope", "--no-audit", "--no-fund", "a", "b", "c"}, Status: "exit status 1",
		Output: "npm http fetch GET 404\r\nnpm error code E404\nnpm error 404 Not Found - GET http://127.0.0.1/nope\nnpm error A complete log\n"}
	err := Explain(fmt.Errorf("add: %w", te), func(l string) bool { return strings.HasPrefix(l, "npm error") && !strings.Contains(l, "complete log") })
	want := "npm install nope --no-audit --no-fund a …: exit status 1\nnpm error code E404\nnpm error 404 Not Found - GET http://127.0.0.1/nope"
	if err.Error() != want {
		t.Errorf("Explain:\n got %q\nwant %q", err, want)
	}
	var got *ToolError
	if !errors.As(err, &got) || got != te {
		t.Error("the explained error does not unwrap to the ToolError")
	}
	// Nothing kept: the ToolError's own message, with the last lines.
	if err := Explain(te, func(string) bool { return false }); err != te || !strings.HasSuffix(err.Error(), "npm error A complete log") {
		t.Errorf("Explain keeping nothing: %v", err)
	}
	other := errors.New("not a tool")
	if Explain(other, func(string) bool { return true }) != other {
		t.Error("Explain changed an error that is not a tool's")
	}
	if got := lastLines("a\n\n b \r\nc\n\n", 2); got != " b\nc" {
		t.Errorf("lastLines = %q", got)
	}
}
