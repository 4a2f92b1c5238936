package language_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pid1/pid1/internal/fsroot"
	"github.com/pid1/pid1/internal/language"
)

func load(t *testing.T, files map[string]string) (language.Config, error) {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644)
	}
	ws, err := fsroot.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	return language.Load(ws, "/build", "")
}

func TestDetection(t *testing.T) {
	cases := []struct {
		files   map[string]string
		lang    string
		compile []string
		run     []string
	}{
		{map[string]string{"main.py": ""}, "python3", nil, []string{"python3", "-u", "main.py"}},
		{map[string]string{"index.js": ""}, "nodejs", nil, []string{"node", "index.js"}},
		{map[string]string{"main.go": "", "go.mod": ""}, "go", []string{"go", "build", "-o", "/build/main", "."}, []string{"/build/main"}},
		{map[string]string{"main.c": "", "util.c": ""}, "c", []string{"cc", "-Wall", "-o", "/build/main", "main.c", "util.c", "-lm"}, []string{"/build/main"}},
		{map[string]string{"main.sh": ""}, "bash", nil, []string{"bash", "main.sh"}},
		{map[string]string{"Makefile": "", "main.py": ""}, "make", nil, []string{"make"}},
	}
	for _, c := range cases {
		got, err := load(t, c.files)
		if err != nil || got.Language != c.lang || !reflect.DeepEqual(got.Compile, c.compile) || !reflect.DeepEqual(got.Run, c.run) {
			t.Errorf("%v: got %+v, %v", c.files, got, err)
		}
	}
	if _, err := load(t, map[string]string{"README": ""}); !errors.Is(err, language.ErrNothingToRun) {
		t.Errorf("nothing to run: %v", err)
	}
}

func TestDotReplit(t *testing.T) {
	got, err := load(t, map[string]string{".replit": `run = "python3 app.py --fast"` + "\nlanguage = \"python3\"\nentrypoint = \"app.py\"\n"})
	if err != nil || !reflect.DeepEqual(got.Run, []string{"sh", "-c", "python3 app.py --fast"}) || got.Entrypoint != "app.py" ||
		!reflect.DeepEqual(got.Interpreter, []string{"python3", "-q"}) || !got.FromFile {
		t.Fatalf("got %+v, %v", got, err)
	}
	got, err = load(t, map[string]string{".replit": `run = ["./start", "x"]` + "\ncompile = \"make build\"\n"})
	if err != nil || !reflect.DeepEqual(got.Run, []string{"./start", "x"}) || !reflect.DeepEqual(got.Compile, []string{"sh", "-c", "make build"}) {
		t.Fatalf("got %+v, %v", got, err)
	}
	got, err = load(t, map[string]string{".replit": "entrypoint = \"index.js\"\nlanguage = \"nodejs\"\n"})
	if err != nil || !reflect.DeepEqual(got.Run, []string{"node", "index.js"}) {
		t.Fatalf("got %+v, %v", got, err)
	}
	for content, want := range map[string]string{
		"run = [1, 2]":         ".replit: run must be a string or an array of strings",
		"run = ":               ".replit: toml: line 1",
		"language = \"cobol\"": `.replit: no run command and no language pid1 knows how to run; add run = "..."`,
	} {
		if _, err := load(t, map[string]string{".replit": content}); err == nil || len(err.Error()) < len(want) || err.Error()[:len(want)] != want {
			t.Errorf("%q: got %v, want %q", content, err, want)
		}
	}
}

// The workspace's language (pid1 -language) fills in when nothing else
// says: its REPL can start, and running explains which file it needs;
// files and a .replit still win over it.
func TestFallbackLanguage(t *testing.T) {
	dir := t.TempDir()
	ws, err := fsroot.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	c, err := language.Load(ws, "/build", "nodejs")
	if !errors.Is(err, language.ErrNothingToRun) || c.Language != "nodejs" ||
		err.Error() != `nothing to run: the workspace's language is nodejs, but it has no index.js; add it, or a .replit with run = "..."` {
		t.Fatalf("empty workspace of language nodejs: %+v, %v", c, err)
	}
	if _, err := language.Load(ws, "/build", "cobol"); !errors.Is(err, language.ErrNothingToRun) || err != language.ErrNothingToRun {
		t.Fatalf("an unknown fallback: %v, want the plain ErrNothingToRun", err)
	}
	os.WriteFile(filepath.Join(dir, "main.py"), nil, 0o644)
	if c, err := language.Load(ws, "/build", "nodejs"); err != nil || c.Language != "python3" {
		t.Fatalf("a main.py in a nodejs workspace: %+v, %v", c, err)
	}
}

func TestServers(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, ".replit"), []byte(`run = "python3 main.py"
[languages.python3]
pattern = "**/*.py"
[languages.python3.languageServer]
start = "pylsp -v"
[languages.go.languageServer]
start = ["gopls", "serve"]
[languages.css]
pattern = "**/*.css"
`), 0o644)
	ws, err := fsroot.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	got, err := language.Servers(ws)
	if err != nil {
		t.Fatal(err)
	}
	want := []language.Server{{"go", []string{"gopls", "serve"}}, {"python3", []string{"sh", "-c", "pylsp -v"}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%v, want %v", got, want)
	}
	os.WriteFile(filepath.Join(dir, ".replit"), []byte("[languages.x.languageServer]\nstart = 5\n"), 0o644)
	if _, err := language.Servers(ws); err == nil || !strings.Contains(err.Error(), "languages.x.languageServer.start must be") {
		t.Fatalf("a number as start: %v", err)
	}
}
