package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRowsBothReportsHoldAreSideBySide(t *testing.T) {
	dir := t.TempDir()
	before := filepath.Join(dir, "before.md")
	after := filepath.Join(dir, "after.md")
	os.WriteFile(before, []byte("# r\n\n| measurement | pid1 | baseline | ratio | target | |\n|---|---|---|---|---|---|\n"+
		"| ping | 61.9 µs | 52.2 µs | 1.19× (1.1–1.3) | ≤ 1.3× | meets |\n| gone | 1 | 2 | 0.5× | | |\n"), 0o644)
	os.WriteFile(after, []byte("| measurement | pid1 | baseline | ratio | target | |\n|---|---|---|---|---|---|\n"+
		"| new | 3 | 4 | 0.75× | | |\n| ping | 60.1 µs | 52.0 µs | 1.16× (1.0–1.2) | ≤ 1.3× | meets |\n"), 0o644)
	out := filepath.Join(dir, "diff.md")
	b, a := mustRows(t, before), mustRows(t, after)
	if err := write(out, "old", "new", b, a); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(out)
	for _, want := range []string{
		"| ping | 61.9 µs | 52.2 µs | 1.19× (1.1–1.3) | 60.1 µs | 52.0 µs | 1.16× (1.0–1.2) |",
		"Only before:\n- gone\n",
		"Only after (new measurements):\n- new\n",
	} {
		if !strings.Contains(string(got), want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if strings.Contains(string(got), "| measurement | pid1 |") {
		t.Errorf("a header row was taken for a measurement:\n%s", got)
	}
}

func mustRows(t *testing.T, path string) []row {
	t.Helper()
	r, err := readRows(path)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
