package registries

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// Set is the started registries.
type Set struct {
	NPM         string // verdaccio's URL, ending in /
	PyPI        string // the simple index, ending in /simple/
	GoProxy     string // file:// URL of the proxy directory
	GoProxyHTTP string // the same over HTTP (its slow module's zip waits)

	http  string // the in-process server: the index, the proxy, the gate
	dir   string
	stops []func()
	gates gates
}

// Start starts every registry; Stop stops them.
func Start() (_ *Set, err error) {
	dir, err := os.MkdirTemp("", "pid1-registries-")
	if err != nil {
		return nil, err
	}
	s := &Set{dir: dir}
	defer func() {
		if err != nil {
			s.Stop() // what did start
		}
	}()
	if err := s.serve(); err != nil {
		return nil, err
	}
	var wg sync.WaitGroup
	errs := make([]error, 3)
	wg.Go(func() { errs[0] = s.startNPM() })
	wg.Go(func() { errs[1] = s.startPyPI() })
	wg.Go(func() { errs[2] = s.startGoProxy() })
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return s, nil
}

// Stop stops the registries and removes their files.
func (s *Set) Stop() {
	s.gates.releaseAll()
	for i := len(s.stops) - 1; i >= 0; i-- {
		s.stops[i]()
	}
	os.RemoveAll(s.dir)
}

var (
	sharedMu  sync.Mutex
	shared    *Set
	sharedErr error
)

// Shared is one Set per process, started on first use; StopShared stops
// it (call it from TestMain after m.Run).
func Shared(t testing.TB) *Set {
	t.Helper()
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if shared == nil && sharedErr == nil {
		shared, sharedErr = Start()
	}
	if sharedErr != nil {
		t.Fatalf("starting the local registries: %v", sharedErr)
	}
	return shared
}

// StopShared stops the Set Shared started, if any.
func StopShared() {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if shared != nil {
		shared.Stop()
		shared = nil
	}
}

// Hold makes kind's ("npm", "pip" or "go") slow package wait (its
// install script, its download) until release is called or the Set
// stops; started is closed once it waits. A Hold of a kind another test
// holds waits for its release.
func (s *Set) Hold(kind string) (started <-chan struct{}, release func()) {
	return s.gates.hold(kind)
}

// WriteConfig writes npm's, pip's and go's user configuration into home,
// pointing them at the registries (the go proxy as file://).
func (s *Set) WriteConfig(home string) error {
	files := map[string]string{
		".npmrc": "registry=" + s.NPM + "\n" + "fetch-retries=0\nupdate-notifier=false\nfund=false\naudit=false\n",
		".config/pip/pip.conf": "[global]\nindex-url = " + s.PyPI + "\nretries = 0\ntimeout = 20\n" +
			"disable-pip-version-check = true\n",
		".config/go/env": "GOPROXY=" + s.GoProxy + "\nGOSUMDB=off\nGOFLAGS=-modcacherw\nGOTOOLCHAIN=local\n",
		// No telemetry: its uploader outlives the go command and was
		// still writing in this HOME when a test's cleanup removed it.
		".config/go/telemetry/mode": "off",
	}
	for name, content := range files {
		p := filepath.Join(home, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Home is a fresh HOME for the test whose configuration points at the
// registries.
func (s *Set) Home(t testing.TB) string {
	t.Helper()
	home := t.TempDir()
	if err := s.WriteConfig(home); err != nil {
		t.Fatal(err)
	}
	return home
}

// Env is the environment of a workspace's programs for the test: pid1's
// PATH and locale, and a fresh Home.
func (s *Set) Env(t testing.TB) []string {
	t.Helper()
	env := []string{"HOME=" + s.Home(t), "LANG=C.UTF-8"}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PATH=") {
			env = append(env, kv)
		}
	}
	return env
}

// repoRoot is the repository's directory (this file is in test/kit/registries).
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

func errorf(what string, err error, out []byte) error {
	tail := string(out)
	if len(tail) > 2000 {
		tail = tail[len(tail)-2000:]
	}
	return fmt.Errorf("%s: %w\n%s", what, err, tail)
}
