package jobs

import (
	"slices"
	"testing"
)

func TestUserEnvDropsWhatPid1Inherited(t *testing.T) {
	got := UserEnv([]string{"PATH=/bin", "MAKELEVEL=1", "MAKEFLAGS=-j2", "HOME=/root", "MFLAGS=", "MAKELEVELX=kept"})
	want := []string{"PATH=/bin", "HOME=/root", "MAKELEVELX=kept"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	t.Setenv("MAKELEVEL", "3")
	if slices.ContainsFunc(UserEnv(nil), func(kv string) bool { return kv == "MAKELEVEL=3" }) {
		t.Fatal("pid1's own MAKELEVEL reached a user program")
	}
}
