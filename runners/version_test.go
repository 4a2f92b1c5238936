package runners

import (
	"slices"
	"testing"
)

func TestVersionParsers(t *testing.T) {
	for _, c := range []struct {
		f         func(string) string
		out, want string
	}{
		{field(1, ""), "Python 3.11.2\n", "3.11.2"},
		{field(2, "go"), "go version go1.26.8 linux/amd64\n", "1.26.8"},
		{field(0, "v"), "v20.20.2\n", "20.20.2"},
		{field(1, ""), "Lua 5.4.4  Copyright (C) 1994-2022 Lua.org, PUC-Rio\n", "5.4.4"},
		{field(2, ""), "\nAsymptote version 2.85 [(C) 2004 Andy Hammerlindl]\n", "2.85"},
		{field(1, ""), "", ""},
		{javaVersion, "Property settings:\n    java.vendor = Debian\n    java.version = 17.0.15\n", "17.0.15"},
		{javaVersion, "openjdk version \"17\"", ""},
	} {
		if got := c.f(c.out); got != c.want {
			t.Errorf("%q: got %q, want %q", c.out, got, c.want)
		}
	}
}

func TestGCCFlagsFollowTheVersion(t *testing.T) {
	for v, want := range map[string][]string{"12.2.0": nil, "13.1": nil, "14.2.0": {"-fpermissive"}, "15": {"-fpermissive"}, "": nil} {
		if got := gccFlags(v); !slices.Equal(got, want) {
			t.Errorf("gcc %q: %q, want %q", v, got, want)
		}
	}
	r := &Runner{ID: "c_gcc", Version: "14.2.0", how: how{flags: gccFlags}}
	if got := flagsLine(r); got != "flags=('-fpermissive')\n" {
		t.Errorf("flags line %q", got)
	}
}
