package bench

import (
	"context"
	"fmt"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/test/kit/registries"
)

// The packager benchmark: packageAdd of a tiny package from a local
// registry through a packager3 channel, request → ok, against running the
// tool's own command (npm install, pip install, go get) in a workspace of
// the same shape, in the same run. Both sides find the registries through
// the same variables (the hub's workspace has them in its .replit [env])
// and share the tools' caches, which the first, untimed add warms; between
// adds each workspace is put back as it was, untimed.

// PackagerEcosystems are the ecosystems measured.
var PackagerEcosystems = []string{"nodejs", "python", "go"}

// Packager is the benchmark's setup: the registries, and per ecosystem a
// pid1 serving the workspace and a directory for the direct runs.
type Packager struct {
	reg  *registries.Set
	tmp  string
	ecos map[string]*packagerEco
}

type packagerEco struct {
	name       string
	hub        *Hub
	c          *client.Client
	ch         *client.Channel
	direct     string   // the direct runs' workspace
	env        []string // the variables both sides get
	pkg        string
	spec       string // the spec file a packageAdd changes
	installed  string // a glob that matches once either side installed pkg
	directArgv []string
	reset      func(dir string) error
}

// StartPackager starts the registries and the three pid1s.
func StartPackager() (p *Packager, err error) {
	reg, err := registries.Start()
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "pid1-bench-packager-")
	if err != nil {
		reg.Stop()
		return nil, err
	}
	p = &Packager{reg: reg, tmp: tmp, ecos: map[string]*packagerEco{}}
	defer func() {
		if err != nil {
			p.Close()
		}
	}()
	for _, name := range PackagerEcosystems {
		if err := p.start(name); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return p, nil
}

func (p *Packager) start(name string) error {
	e := &packagerEco{name: name, direct: filepath.Join(p.tmp, name+"-direct")}
	venv := func(dir string) string { return filepath.Join(dir, ".venv") }
	switch name {
	case "nodejs":
		e.env = []string{"npm_config_registry=" + p.reg.NPM, "npm_config_update_notifier=false"}
		e.pkg, e.spec, e.installed = "tiny-a", "package.json", "node_modules/tiny-a/package.json"
		e.directArgv = []string{"npm", "install", "tiny-a", "--no-audit", "--no-fund"}
		e.reset = func(dir string) error {
			os.RemoveAll(filepath.Join(dir, "node_modules"))
			os.Remove(filepath.Join(dir, "package-lock.json"))
			return os.WriteFile(filepath.Join(dir, "package.json"), []byte("{}\n"), 0o644)
		}
	case "python":
		e.env = []string{"PIP_INDEX_URL=" + p.reg.PyPI, "PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_NO_INPUT=1", "PIP_PROGRESS_BAR=off"}
		e.pkg, e.spec, e.installed = "tiny-pkg", "requirements.txt", ".venv/lib/python3*/site-packages/tiny_pkg"
		e.directArgv = []string{filepath.Join(venv(e.direct), "bin", "python"), "-m", "pip", "install", "tiny-pkg"}
		e.reset = func(dir string) error {
			if _, err := os.Stat(venv(dir)); err != nil {
				if err := run(dir, nil, "/usr/bin/python3", "-m", "venv", venv(dir)); err != nil {
					return err
				}
			} else if err := run(dir, nil, filepath.Join(venv(dir), "bin", "python"), "-m", "pip", "uninstall", "-y", "-q", "tiny-pkg", "tiny-dep"); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, "requirements.txt"), nil, 0o644)
		}
	case "go":
		e.env = []string{"GOPROXY=" + p.reg.GoProxy, "GOSUMDB=off", "GOFLAGS=-modcacherw", "GOTOOLCHAIN=local",
			"GOMODCACHE=" + filepath.Join(p.tmp, "gomodcache")}
		e.pkg, e.spec, e.installed = "example.test/tiny", "go.mod", "go.sum"
		e.directArgv = []string{"go", "get", "example.test/tiny"}
		e.reset = func(dir string) error {
			os.Remove(filepath.Join(dir, "go.sum"))
			return os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module bench\n\ngo 1.21\n"), 0o644)
		}
	}
	var err error
	if e.hub, err = StartHub(); err != nil {
		return err
	}
	p.ecos[name] = e
	var env strings.Builder
	env.WriteString("[env]\n")
	for _, kv := range e.env {
		k, v, _ := strings.Cut(kv, "=")
		fmt.Fprintf(&env, "%s = %q\n", k, v)
	}
	ws := e.hub.Workspace()
	if err := os.WriteFile(filepath.Join(ws, ".replit"), []byte(env.String()+"[packager]\nlanguage = \""+name+"\"\n"), 0o644); err != nil {
		return err
	}
	if err := os.MkdirAll(e.direct, 0o755); err != nil {
		return err
	}
	for _, dir := range []string{ws, e.direct} {
		if err := e.reset(dir); err != nil {
			return err
		}
	}
	url, err := e.hub.URL("bench")
	if err != nil {
		return err
	}
	if e.c, err = client.Dial(context.Background(), url, nil); err != nil {
		return err
	}
	e.ch, err = e.c.Open(context.Background(), "packager3", "", api.OpenChannel_CREATE)
	return err
}

// run runs argv in dir with env over pid1's environment, to its end.
func run(dir string, env []string, argv ...string) error {
	cmd := osexec.Command(argv[0], argv[1:]...)
	cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %v\n%s", strings.Join(argv, " "), err, out)
	}
	return nil
}

// Close stops everything.
func (p *Packager) Close() {
	for _, e := range p.ecos {
		if e.c != nil {
			e.c.Close()
		}
		e.hub.Close()
	}
	p.reg.Stop()
	os.RemoveAll(p.tmp)
}

// AddHub is one packageAdd through packager3, request → ok, in seconds;
// the workspace is put back first, untimed.
func (p *Packager) AddHub(eco string) (float64, error) {
	e := p.ecos[eco]
	if err := e.reset(e.hub.Workspace()); err != nil {
		return 0, err
	}
	cmd := &api.Command{Body: &api.Command_PackageAdd{PackageAdd: &api.PackageAdd{Pkgs: []*api.Package{{Name: e.pkg}}}}}
	start := time.Now()
	r, err := e.ch.Request(context.Background(), cmd)
	d := time.Since(start)
	if err != nil {
		return 0, err
	}
	if r.GetError() != "" {
		return 0, fmt.Errorf("packageAdd %s: %s", e.pkg, r.GetError())
	}
	for drained := false; !drained; {
		select {
		case <-e.ch.Stream():
		case <-time.After(50 * time.Millisecond):
			drained = true // the Stopped that follows the ok, and the output
		}
	}
	return d.Seconds(), nil
}

// AddDirect is AddHub's baseline: the tool's own command, run directly
// with the same variables, in seconds.
func (p *Packager) AddDirect(eco string) (float64, error) {
	e := p.ecos[eco]
	if err := e.reset(e.direct); err != nil {
		return 0, err
	}
	start := time.Now()
	if err := run(e.direct, e.env, e.directArgv...); err != nil {
		return 0, err
	}
	return time.Since(start).Seconds(), nil
}

// Added checks, after an add on each side, that both installed eco's
// package and that packager3 also named it in the spec file (pip install
// alone writes no requirements.txt).
func (p *Packager) Added(eco string) error {
	e := p.ecos[eco]
	for _, dir := range []string{e.hub.Workspace(), e.direct} {
		if m, _ := filepath.Glob(filepath.Join(dir, e.installed)); len(m) == 0 {
			return fmt.Errorf("%s: no %s after adding %s", dir, e.installed, e.pkg)
		}
	}
	spec, err := os.ReadFile(filepath.Join(e.hub.Workspace(), e.spec))
	if err != nil {
		return err
	}
	if !strings.Contains(string(spec), e.pkg) {
		return fmt.Errorf("packager3's %s does not name %s:\n%s", e.spec, e.pkg, spec)
	}
	return nil
}

// Package names what eco's add installs, and DirectCommand the baseline's
// command line.
func (p *Packager) Package(eco string) string { return p.ecos[eco].pkg }

func (p *Packager) DirectCommand(eco string) string {
	argv := p.ecos[eco].directArgv
	return strings.Join(append([]string{filepath.Base(argv[0])}, argv[1:]...), " ")
}
