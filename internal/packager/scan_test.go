package packager

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pid1/pid1/internal/fsroot"
)

func TestSources(t *testing.T) {
	root := t.TempDir()
	for name, size := range map[string]int{
		"main.py": 10, "lib/util.py": 10, "lib/notes.txt": 10, "node_modules/x/index.py": 10, ".hidden/a.py": 10,
		"venv2/pyvenv.cfg": 10, "venv2/lib/site.py": 10, "ignored/x.py": 10, "big.py": MaxSourceSize + 1, "build/gen.py": 10,
	} {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(strings.Repeat("#", size)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dir, err := fsroot.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	paths := func(ss []Source) (out []string) {
		for _, s := range ss {
			out = append(out, s.Path)
		}
		slices.Sort(out)
		return out
	}
	if got := paths(Sources(dir, nil, []string{"/ignored/"}, ".py")); !slices.Equal(got, []string{"lib/util.py", "main.py"}) {
		t.Errorf("Sources of the workspace = %q", got)
	}
	// Named files (packager2 refuses bad paths before): only those with the
	// extension, inside the workspace, not too big.
	if got := paths(Sources(dir, []string{"lib/notes.txt", "../../etc/passwd.py", "./main.py", "big.py", "missing.py"}, nil, ".py")); !slices.Equal(got, []string{"main.py"}) {
		t.Errorf("Sources of named files = %q", got)
	}
}
