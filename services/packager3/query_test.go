package packager3_test

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/pid1/pid1/api"
)

func names(ps []*api.Package) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

// Search asks the registry the tool is configured with; Go's proxy has
// no search, and says so.
func TestSearch(t *testing.T) {
	t.Parallel()
	cases := []struct {
		eco       string
		files     map[string]string
		query     string
		want      []string // names, in order (npm: among others, whose descriptions match)
		version   string   // of the first
		hint, err string
	}{
		{"nodejs", map[string]string{"package.json": "{}"}, "tiny", []string{"tiny-a", "tiny-b"}, "1.0.0", "", ""},
		{"python", map[string]string{"requirements.txt": ""}, "tiny", []string{"tiny-dep", "tiny-pkg"}, "1.0.0", "Python indexes have no search", ""},
		{"python", map[string]string{"requirements.txt": ""}, "pkg", []string{"slow-pkg", "tiny-pkg"}, "1.0.0", "whose names contain", ""},
		{"go", map[string]string{"go.mod": "module x\n"}, "tiny", nil, "", "", "no search"},
	}
	for _, c := range cases {
		t.Run(c.eco+"/"+c.query, func(t *testing.T) {
			t.Parallel()
			w := newWS(t, c.files)
			ro := w.open("ro:viewer", "packager3", "")
			x := do(t, ro, search(c.query))
			if c.err != "" {
				if !strings.Contains(x.reply.GetError(), c.err) {
					t.Fatalf("search: %v, want an error with %q", x.reply, c.err)
				}
				return
			}
			got := x.reply.GetPackageSearchResp().GetResults()
			if c.eco == "nodejs" {
				got = slices.DeleteFunc(got, func(p *api.Package) bool { return !slices.Contains(c.want, p.Name) })
			}
			if !slices.Equal(names(got), c.want) {
				t.Fatalf("search %q: %v", c.query, x.reply)
			}
			if got[len(got)-1].Version == "" || got[0].Version == "" {
				t.Errorf("results without versions: %v", got)
			}
			if c.hint == "" && len(x.hints) > 0 || c.hint != "" && (len(x.hints) != 1 || !strings.Contains(x.hints[0], c.hint)) {
				t.Errorf("hints %q, want %q", x.hints, c.hint)
			}
		})
	}
}

// A registry without the search endpoint (a mirror) gets an exact-name
// lookup, and the hint says so; the registry comes from the workspace's
// .npmrc.
func TestSearchWithoutSearchEndpoint(t *testing.T) {
	t.Parallel()
	reg := registriesFor(t)
	target, _ := url.Parse(reg.NPM)
	proxy := httputil.NewSingleHostReverseProxy(target)
	mirror := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/-/v1/search") {
			http.NotFound(w, r)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer mirror.Close()
	w := newWS(t, map[string]string{"package.json": "{}", ".npmrc": "registry=" + mirror.URL + "/\n"})
	ch := w.open("ada", "packager3", "")
	x := do(t, ch, search("tiny-a"))
	if got := names(x.reply.GetPackageSearchResp().GetResults()); !slices.Equal(got, []string{"tiny-a"}) {
		t.Fatalf("search: %v", x.reply)
	}
	if len(x.hints) != 1 || !strings.Contains(x.hints[0], "has no search (HTTP 404): looked up the exact name") || !strings.Contains(x.hints[0], mirror.URL) {
		t.Fatalf("hints: %q", x.hints)
	}
	x = do(t, ch, search("tiny"))
	if got := x.reply.GetPackageSearchResp(); got == nil || len(got.Results) != 0 || len(x.hints) != 1 {
		t.Fatalf("search for a name the mirror does not have: %v %q", x.reply, x.hints)
	}
}

// Info describes a package as the registry knows it; an unknown one is a
// clear error.
func TestInfo(t *testing.T) {
	t.Parallel()
	cases := []struct {
		eco   string
		files map[string]string
		name  string
		want  *api.Package
	}{
		{"nodejs", map[string]string{"package.json": "{}"}, "tiny-a", &api.Package{Name: "tiny-a", Version: "1.0.0", Description: "A tiny test package",
			HomepageURL: "http://example.test/tiny-a", DocumentationURL: "http://example.test/tiny-a", SourceCodeURL: "http://example.test/src/tiny-a.git",
			BugTrackerURL: "http://example.test/issues/tiny-a", Author: "Ada <ada@example.test>", License: "MIT", Dependencies: []*api.Package{{Name: "tiny-b"}}}},
		{"nodejs", map[string]string{"package.json": "{}"}, "tiny-b", &api.Package{Name: "tiny-b", Version: "1.1.0", Description: "A tiny test package",
			HomepageURL: "http://example.test/tiny-b", DocumentationURL: "http://example.test/tiny-b", SourceCodeURL: "http://example.test/src/tiny-b.git",
			BugTrackerURL: "http://example.test/issues/tiny-b", Author: "Ada <ada@example.test>", License: "MIT"}},
		{"python", map[string]string{"requirements.txt": ""}, "Tiny_Pkg", &api.Package{Name: "tiny-pkg", Version: "1.0.0", Description: "A tiny test distribution",
			HomepageURL: "http://example.test/tiny-pkg", SourceCodeURL: "http://example.test/src/tiny-pkg", Author: "Ada <ada@example.test>",
			License: "MIT", Dependencies: []*api.Package{{Name: "tiny-dep"}}}},
		{"go", map[string]string{"go.mod": "module x\n"}, "example.test/tiny", &api.Package{Name: "example.test/tiny", Version: "v1.1.0",
			HomepageURL: "https://pkg.go.dev/example.test/tiny", DocumentationURL: "https://pkg.go.dev/example.test/tiny",
			Dependencies: []*api.Package{{Name: "example.test/dep"}}}},
	}
	for _, c := range cases {
		t.Run(c.eco+"/"+c.name, func(t *testing.T) {
			t.Parallel()
			w := newWS(t, c.files)
			ch := w.open("ro:viewer", "packager3", "")
			x := do(t, ch, info(c.name))
			got := x.reply.GetPackageInfoResp().GetPkg()
			if got.String() != c.want.String() {
				t.Fatalf("info %s:\n got %v\nwant %v", c.name, got, c.want)
			}
			missing := map[string]string{"nodejs": "no-such-pkg", "python": "no-such-pkg", "go": "example.test/no-such-pkg"}[c.eco]
			x = do(t, ch, info(missing))
			if !strings.Contains(x.reply.GetError(), `no package "`+missing+`"`) {
				t.Fatalf("info of a missing package: %v", x.reply)
			}
		})
	}
}

// Read-only users may search and list, not change; bad requests get
// errors that say what to send.
func TestReadOnlyAndBadRequests(t *testing.T) {
	t.Parallel()
	w := newWS(t, map[string]string{"package.json": `{"dependencies": {"tiny-a": "^1.0.0"}}`})
	ro := w.open("ro:viewer", "packager3", "packager3")
	if got := specOf(t, ro); !slices.Equal(got, []string{"tiny-a ^1.0.0"}) {
		t.Fatalf("a read-only list: %q", got)
	}
	for _, cmd := range []*api.Command{add("tiny-b"), remove("tiny-a"), install(true)} {
		if x := do(t, ro, cmd); !strings.HasPrefix(x.reply.GetError(), "read-only:") || len(x.states) > 0 {
			t.Errorf("%v from a read-only user: %v %q", cmd, x.reply, x.states)
		}
	}
	ch := w.open("ada", "packager3", "")
	for cmd, want := range map[*api.Command]string{
		add():                     "packageAdd needs packages",
		add(" "):                  "packageAdd needs packages",
		remove():                  "packageRemove needs packages",
		search("  "):              "packageSearch needs a query",
		info(""):                  "packageInfo needs a package name",
		add("../evil"):            `"../evil" is not an npm package name`,
		add("--registry=x"):       `is not an npm package name`,
		add("tiny-a not a spec!"): `tiny-a`,
		{Body: &api.Command_Ping{Ping: &api.Ping{}}}: "packager3 takes packageSearch, packageInfo, packageAdd, packageRemove, packageInstall and packageListSpecfile, not ping",
	} {
		if x := do(t, ch, cmd); !strings.Contains(x.reply.GetError(), want) {
			t.Errorf("%v: %v, want an error with %q", cmd, x.reply, want)
		}
	}
	if got := w.read("package.json"); got != `{"dependencies": {"tiny-a": "^1.0.0"}}` {
		t.Fatalf("bad requests changed package.json: %s", got)
	}
}
