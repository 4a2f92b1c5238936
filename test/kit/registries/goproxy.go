package registries

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/zip"
)

// goModule is a tiny module the proxy serves.
type goModule struct {
	path, version string
	requires      []string // "path version"
}

var goModules = []goModule{
	{"example.test/tiny", "v1.0.0", nil},
	{"example.test/tiny", "v1.1.0", []string{"example.test/dep v1.0.0"}},
	{"example.test/dep", "v1.0.0", nil},
	{"example.test/slow", "v1.0.0", nil},
}

// startGoProxy lays the proxy directory out: for each module
// PATH/@v/list, VERSION.info, VERSION.mod and VERSION.zip.
func (s *Set) startGoProxy() error {
	root := filepath.Join(s.dir, "goproxy")
	s.GoProxy = "file://" + root
	lists := map[string][]string{}
	for _, m := range goModules {
		if err := s.layModule(root, m); err != nil {
			return fmt.Errorf("laying out %s@%s: %w", m.path, m.version, err)
		}
		lists[m.path] = append(lists[m.path], m.version)
	}
	for p, versions := range lists {
		esc, _ := module.EscapePath(p)
		if err := os.WriteFile(filepath.Join(root, esc, "@v", "list"), []byte(strings.Join(versions, "\n")+"\n"), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func (s *Set) layModule(root string, m goModule) error {
	pkg := filepath.Base(m.path)
	gomod := "module " + m.path + "\n\ngo 1.21\n"
	imports, uses := "", ""
	if len(m.requires) > 0 {
		gomod += "\nrequire (\n"
		for _, r := range m.requires {
			gomod += "\t" + r + "\n"
			dep := strings.Fields(r)[0]
			imports += fmt.Sprintf("import %q\n", dep)
			uses += " + " + filepath.Base(dep) + ".Name"
		}
		gomod += ")\n"
	}
	src := fmt.Sprintf("// Package %s is a tiny module of the packager's tests.\npackage %s\n\n%s\n// Name says which module and version this is.\nconst Name = %q\n\n// Greeting is what a program prints.\nvar Greeting = \"hello from \" + Name%s\n",
		pkg, pkg, imports, m.path+" "+m.version, uses)
	dir := filepath.Join(s.dir, "go-src", pkg+"@"+m.version)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, content := range map[string]string{"go.mod": gomod, pkg + ".go": src} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			return err
		}
	}
	esc, err := module.EscapePath(m.path)
	if err != nil {
		return err
	}
	at := filepath.Join(root, esc, "@v")
	if err := os.MkdirAll(at, 0o755); err != nil {
		return err
	}
	info := fmt.Sprintf(`{"Version":%q,"Time":%q}`, m.version, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).Format(time.RFC3339))
	if err := os.WriteFile(filepath.Join(at, m.version+".info"), []byte(info), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(at, m.version+".mod"), []byte(gomod), 0o644); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(at, m.version+".zip"))
	if err != nil {
		return err
	}
	defer f.Close()
	return zip.CreateFromDir(f, module.Version{Path: m.path, Version: m.version}, dir)
}
