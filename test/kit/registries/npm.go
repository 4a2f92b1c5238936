package registries

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// npmPackage is a tiny package published to verdaccio.
type npmPackage struct {
	name, version string
	deps          map[string]string
	scripts       map[string]string
}

func (s *Set) npmPackages() []npmPackage {
	// The install script waits for the gate: node keeps running until
	// the answer has ended.
	wait := fmt.Sprintf(`node -e "require('http').get('%sgate/npm', r => r.resume())"`, s.http)
	return []npmPackage{
		{"tiny-b", "1.0.0", nil, nil},
		{"tiny-b", "1.1.0", nil, nil},
		{"tiny-a", "1.0.0", map[string]string{"tiny-b": "^1.0.0"}, nil},
		{"slow-install", "1.0.0", nil, map[string]string{"install": wait}},
	}
}

// verdaccio is the installed verdaccio's program.
func verdaccio() (string, error) {
	p := filepath.Join(repoRoot(), "test", "registries", "node_modules", ".bin", "verdaccio")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("verdaccio is not installed in test/registries: run scripts/test-deps.sh (make test does)")
	}
	return p, nil
}

// startNPM starts verdaccio with nothing upstream (an unknown name is a
// 404) and publishes the packages with npm.
func (s *Set) startNPM() error {
	bin, err := verdaccio()
	if err != nil {
		return err
	}
	dir := filepath.Join(s.dir, "verdaccio")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	config := fmt.Sprintf(`storage: ./storage
auth:
  htpasswd:
    file: ./htpasswd
    max_users: -1
uplinks: {}
packages:
  '@*/*': {access: $all, publish: $all, unpublish: $all}
  '**': {access: $all, publish: $all, unpublish: $all}
listen: %s
web: {enable: false}
log: {type: stdout, format: pretty, level: warn}
`, addr)
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(config), 0o644); err != nil {
		return err
	}
	log, err := os.Create(filepath.Join(dir, "log"))
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, "--config", filepath.Join(dir, "config.yaml"))
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		log.Close()
		return err
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); log.Close(); close(done) }()
	s.stops = append(s.stops, func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
	})
	s.NPM = "http://" + addr + "/"
	// Node starts verdaccio in seconds, but a machine busy with other
	// tests can take a minute or more.
	if err := waitUp(s.NPM+"-/ping", done, 3*time.Minute); err != nil {
		b, _ := os.ReadFile(filepath.Join(dir, "log"))
		return errorf("verdaccio did not start", err, b)
	}
	userconfig := filepath.Join(dir, "npmrc")
	if err := os.WriteFile(userconfig, []byte("//"+addr+"/:_authToken=test\n"), 0o600); err != nil {
		return err
	}
	// Versions of one package are published in order; packages at once.
	byName := map[string][]npmPackage{}
	var names []string
	for _, p := range s.npmPackages() {
		if _, ok := byName[p.name]; !ok {
			names = append(names, p.name)
		}
		byName[p.name] = append(byName[p.name], p)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(names))
	for i, n := range names {
		wg.Go(func() {
			for _, p := range byName[n] {
				if err := s.publish(p, userconfig); err != nil {
					errs[i] = err
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *Set) publish(p npmPackage, userconfig string) error {
	dir := filepath.Join(s.dir, "npm-src", p.name+"@"+p.version)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	manifest := map[string]any{
		"name": p.name, "version": p.version, "description": "A tiny test package", "main": "index.js",
		"license": "MIT", "author": "Ada <ada@example.test>", "homepage": "http://example.test/" + p.name,
		"repository": map[string]string{"type": "git", "url": "http://example.test/src/" + p.name + ".git"},
		"bugs":       map[string]string{"url": "http://example.test/issues/" + p.name},
	}
	if p.deps != nil {
		manifest["dependencies"] = p.deps
	}
	if p.scripts != nil {
		manifest["scripts"] = p.scripts
	}
	b, _ := json.MarshalIndent(manifest, "", "  ")
	index := fmt.Sprintf("module.exports = %q;\n", "hello from "+p.name+" "+p.version)
	for name, content := range map[string][]byte{"package.json": b, "index.js": []byte(index)} {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
			return err
		}
	}
	cmd := exec.Command("npm", "publish", "--registry", s.NPM, "--userconfig", userconfig, "--no-audit", "--loglevel=error", dir)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + s.dir}
	if out, err := cmd.CombinedOutput(); err != nil {
		return errorf("publishing "+p.name+"@"+p.version, err, out)
	}
	return nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// waitUp polls url until it answers 200, the process ends (done) or
// timeout passes.
func waitUp(url string, done <-chan struct{}, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-done:
			return fmt.Errorf("it exited")
		case <-ctx.Done():
			return fmt.Errorf("no answer from %s within %v", url, timeout)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
