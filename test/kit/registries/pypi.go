package registries

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// distribution is a tiny Python source package the index serves as a
// wheel.
type distribution struct {
	name, version, module string
	requires              []string
}

var distributions = []distribution{
	{"tiny-pkg", "0.9.0", "tiny_pkg", nil},
	{"tiny-pkg", "1.0.0", "tiny_pkg", []string{"tiny-dep"}},
	{"tiny-dep", "1.0.0", "tiny_dep", nil},
	{"slow-pkg", "1.0.0", "slow_pkg", nil},
}

// python is Debian's interpreter, which has setuptools and wheel.
func python() string {
	if _, err := os.Stat("/usr/bin/python3"); err == nil {
		return "/usr/bin/python3"
	}
	return "python3"
}

// startPyPI builds the wheels the index serves, with pip.
func (s *Set) startPyPI() error {
	var wg sync.WaitGroup
	errs := make([]error, len(distributions))
	for i, d := range distributions {
		wg.Go(func() { errs[i] = s.buildWheel(d) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *Set) buildWheel(d distribution) error {
	src := filepath.Join(s.dir, "python-src", d.name+"-"+d.version)
	mod := filepath.Join(src, d.module)
	if err := os.MkdirAll(mod, 0o755); err != nil {
		return err
	}
	init := fmt.Sprintf("GREETING = %q\n", "hello from "+d.name+" "+d.version)
	requires := "[]"
	if len(d.requires) > 0 {
		requires = `["` + strings.Join(d.requires, `", "`) + `"]`
	}
	setup := fmt.Sprintf(`from setuptools import setup
setup(name=%q, version=%q, description="A tiny test distribution", author="Ada",
      author_email="ada@example.test", url="http://example.test/%s", license="MIT",
      project_urls={"Source": "http://example.test/src/%s"}, packages=[%q], install_requires=%s)
`, d.name, d.version, d.name, d.name, d.module, requires)
	for name, content := range map[string]string{filepath.Join(mod, "__init__.py"): init, filepath.Join(src, "setup.py"): setup} {
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			return err
		}
	}
	out := filepath.Join(s.dir, "wheels", d.name)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	cmd := exec.Command(python(), "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q", "-w", out, src)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + s.dir, "PIP_DISABLE_PIP_VERSION_CHECK=1"}
	cmd.Dir = src
	if b, err := cmd.CombinedOutput(); err != nil {
		return errorf("building the wheel of "+d.name+" "+d.version, err, b)
	}
	return nil
}
