package web_test

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/pid1/pid1/web"
)

var bundle = fstest.MapFS{
	"index.html":             {Data: []byte(`<!doctype html><script type="module" src="/assets/main-ABC.js"></script>` + strings.Repeat(" ", 600))},
	"assets/main-ABC.js":     {Data: []byte("console.log('x');" + strings.Repeat("/* pad */", 200))},
	"assets/main-ABC.css":    {Data: []byte("body{}")},
	"assets/c/chunk-XYZ.js":  {Data: []byte("export{};")},
	"assets/font-QQQ.woff2":  {Data: []byte("wOF2")},
	"assets/strange-RRR.bin": {Data: []byte{0, 1, 2}},
}

func get(t *testing.T, h http.Handler, method, path string, hdr ...string) *http.Response {
	t.Helper()
	r := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result()
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestServesThePageAndAssetsWithTypesCachingAndCSP(t *testing.T) {
	h := web.New(bundle, nil)
	for _, c := range []struct{ path, ctype, cache string }{
		{"/", "text/html; charset=utf-8", "no-cache"},
		{"/index.html", "text/html; charset=utf-8", "no-cache"},
		{"/assets/main-ABC.js", "text/javascript; charset=utf-8", "public, max-age=31536000, immutable"},
		{"/assets/main-ABC.css", "text/css; charset=utf-8", "public, max-age=31536000, immutable"},
		{"/assets/c/chunk-XYZ.js", "text/javascript; charset=utf-8", "public, max-age=31536000, immutable"},
		{"/assets/font-QQQ.woff2", "font/woff2", "public, max-age=31536000, immutable"},
		{"/assets/strange-RRR.bin", "application/octet-stream", "public, max-age=31536000, immutable"},
	} {
		res := get(t, h, "GET", c.path)
		if res.StatusCode != 200 {
			t.Errorf("%s: HTTP %d", c.path, res.StatusCode)
			continue
		}
		for k, want := range map[string]string{
			"Content-Type": c.ctype, "Cache-Control": c.cache, "Content-Security-Policy": web.CSP,
			"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
		} {
			if got := res.Header.Get(k); got != want {
				t.Errorf("%s: %s is %q, want %q", c.path, k, got, want)
			}
		}
		if res.Header.Get("ETag") == "" {
			t.Errorf("%s: no ETag", c.path)
		}
	}
	if !strings.Contains(web.CSP, "script-src 'self'") || !strings.Contains(web.CSP, "connect-src 'self'") || strings.Contains(web.CSP, "unsafe-eval") {
		t.Errorf("the CSP allows more than this origin's scripts and connections: %s", web.CSP)
	}
}

// TestCSPAllowsBlobAndDataForImagesOnly: an Asymptote picture is shown as
// an image from a blob: URL; blob: and data: are allowed there and nowhere
// else (a script or a frame from them would run user code in the page).
func TestCSPAllowsBlobAndDataForImagesOnly(t *testing.T) {
	directives := map[string]string{}
	for _, d := range strings.Split(web.CSP, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		if _, dup := directives[name]; dup {
			t.Errorf("the CSP names %s twice", name)
		}
		directives[name] = value
	}
	for name, want := range map[string]string{
		"img-src": "data: blob:", "script-src": "'self'", "default-src": "'self'", "connect-src": "'self'",
		"object-src": "'none'", "frame-ancestors": "'none'",
	} {
		if got := directives[name]; got != want {
			t.Errorf("CSP %s is %q, want %q", name, got, want)
		}
	}
	for name, value := range directives {
		if name != "img-src" && (strings.Contains(value, "blob:") || strings.Contains(value, "data:") || strings.Contains(value, "*")) {
			t.Errorf("CSP %s allows %q", name, value)
		}
	}
}

func TestConditionalRequestsGetNotModified(t *testing.T) {
	h := web.New(bundle, nil)
	first := get(t, h, "GET", "/assets/main-ABC.js")
	etag := first.Header.Get("ETag")
	again := get(t, h, "GET", "/assets/main-ABC.js", "If-None-Match", etag)
	if again.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match with the ETag: HTTP %d, want 304", again.StatusCode)
	}
	if b := body(t, again); b != "" {
		t.Errorf("a 304 has a body: %q", b)
	}
	if other := get(t, h, "GET", "/assets/main-ABC.js", "If-None-Match", `"something-else"`); other.StatusCode != 200 {
		t.Errorf("If-None-Match with another ETag: HTTP %d, want 200", other.StatusCode)
	}
}

func TestGzipWhenAccepted(t *testing.T) {
	h := web.New(bundle, nil)
	plain := get(t, h, "GET", "/assets/main-ABC.js")
	want := body(t, plain)
	zres := get(t, h, "GET", "/assets/main-ABC.js", "Accept-Encoding", "br, gzip;q=0.8")
	if zres.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Accept-Encoding gzip: Content-Encoding %q", zres.Header.Get("Content-Encoding"))
	}
	if !strings.Contains(zres.Header.Get("Vary"), "Accept-Encoding") {
		t.Errorf("Vary is %q", zres.Header.Get("Vary"))
	}
	if zres.Header.Get("ETag") == plain.Header.Get("ETag") {
		t.Errorf("the gzip and the plain copies share the ETag %s", zres.Header.Get("ETag"))
	}
	zr, err := gzip.NewReader(zres.Body)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("the gzip copy unpacks to something else")
	}
	if res := get(t, h, "GET", "/assets/main-ABC.js", "Accept-Encoding", "gzip;q=0"); res.Header.Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0 got Content-Encoding %q", res.Header.Get("Content-Encoding"))
	}
}

func TestUnknownPathsAndMethods(t *testing.T) {
	h := web.New(bundle, nil)
	for _, p := range []string{"/nothing", "/assets/", "/assets/c", "/assets/missing.js", "/assets/../index.html", "/dist/index.html"} {
		if res := get(t, h, "GET", p); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: HTTP %d, want 404", p, res.StatusCode)
		}
	}
	res := get(t, h, "POST", "/")
	if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST /: HTTP %d, Allow %q", res.StatusCode, res.Header.Get("Allow"))
	}
	if res := get(t, h, "HEAD", "/assets/main-ABC.js"); res.StatusCode != 200 || body(t, res) != "" {
		t.Errorf("HEAD: HTTP %d", res.StatusCode)
	}
}

func TestWithoutTheBundleThePageSaysHowToBuildIt(t *testing.T) {
	h := web.New(fstest.MapFS{".gitkeep": {}}, nil)
	res := get(t, h, "GET", "/")
	b := body(t, res)
	if res.StatusCode != 200 || !strings.Contains(b, "built without its IDE") || !strings.Contains(b, "make build") || !strings.Contains(b, "npm run build") {
		t.Errorf("HTTP %d, page %q", res.StatusCode, b)
	}
	if res.Header.Get("Content-Security-Policy") != web.CSP {
		t.Errorf("no CSP on the page")
	}
	if web.Built(fstest.MapFS{}) || !web.Built(bundle) {
		t.Errorf("Built is wrong")
	}
}

func TestInfoListsServicesAndLanguages(t *testing.T) {
	h := web.New(bundle, func() web.Info {
		return web.Info{Services: []string{"ato", "asy", "chat"}, Languages: []web.Language{{ID: "python", Name: "Python", Hello: "print(1)"}}, Asymptote: true}
	})
	res := get(t, h, "GET", "/ide/info.json")
	if res.Header.Get("Content-Type") != "application/json" || res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("headers %v", res.Header)
	}
	var info web.Info
	if err := json.NewDecoder(res.Body).Decode(&info); err != nil {
		t.Fatal(err)
	}
	if len(info.Services) != 3 || info.Languages[0].Hello != "print(1)" || !info.Asymptote {
		t.Errorf("info %+v", info)
	}
	// Without an info function: empty lists, not null.
	if b := body(t, get(t, web.New(bundle, nil), "GET", "/ide/info.json")); strings.TrimSpace(b) != `{"services":[],"languages":[],"asymptote":false}` {
		t.Errorf("empty info is %s", b)
	}
}
