package registries

import (
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
)

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d %s", url, resp.StatusCode, b)
	}
	return string(b)
}

// The registries serve what the package doc says.
func TestRegistriesServeTheirPackages(t *testing.T) {
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	if doc := get(t, s.NPM+"tiny-b"); !strings.Contains(doc, `"1.1.0"`) || !strings.Contains(doc, `"1.0.0"`) {
		t.Errorf("tiny-b's document: %.300s", doc)
	}
	if page := get(t, s.PyPI+"tiny-pkg/"); !strings.Contains(page, "tiny_pkg-1.0.0-py3-none-any.whl") || !strings.Contains(page, "tiny_pkg-0.9.0") {
		t.Errorf("tiny-pkg's page: %s", page)
	}
	if list := get(t, s.GoProxyHTTP+"example.test/tiny/@v/list"); list != "v1.0.0\nv1.1.0\n" {
		t.Errorf("example.test/tiny's list: %q", list)
	}
	home := s.Home(t)
	if b, err := os.ReadFile(home + "/.npmrc"); err != nil || !strings.Contains(string(b), s.NPM) {
		t.Errorf(".npmrc: %s %v", b, err)
	}
}
