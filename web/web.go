package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
)

// dist is what `npm run build` writes: index.html and assets/. Only a
// placeholder is tracked in git.
//
//go:embed all:dist
var dist embed.FS

// Bundle is the embedded build output, rooted at the directory that holds
// index.html.
func Bundle() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // "dist" is a valid name; fs.Sub cannot fail on it
	}
	return sub
}

// Built reports whether files holds a built IDE (its index.html).
func Built(files fs.FS) bool {
	_, err := fs.Stat(files, "index.html")
	return err == nil
}

// Info is what /ide/info.json tells the page about this pid1.
type Info struct {
	// Services are the service names a channel can be opened on; the page
	// leaves out the panes of services that are missing.
	Services []string `json:"services"`
	// Languages are what the ato service can run here: empty when the
	// execution engines are off.
	Languages []Language `json:"languages"`
	// Asymptote says the asy service draws Asymptote pictures here: its
	// tasks have an engine and asy is installed. The playground then sends
	// Asymptote code to it and shows the picture.
	Asymptote bool `json:"asymptote"`
}

// Language is one language the engines run.
type Language struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
	Hello   string `json:"hello,omitempty"` // a program printing a greeting, the playground's first code
}

// CSP is the Content-Security-Policy of every response: scripts, styles,
// fonts and connections from this origin only ('self' covers ws: and
// wss: to the same host and port), inline styles for CodeMirror's and
// xterm.js's <style> elements, images only from data: (the page's empty
// icon, CodeMirror's) and blob: (an Asymptote picture, which shown as an
// image runs no script), nothing framed and nothing framing the page.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src data: blob:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Handler serves the IDE.
type Handler struct {
	files fs.FS
	built bool
	info  func() Info

	mu    sync.Mutex
	cache map[string]*asset
}

// asset is one file ready to send, with its compressed copy.
type asset struct {
	data, gz []byte
	etag     string
	ctype    string
}

// New serves the IDE from files (Bundle() in pid1; a test may pass a
// directory) and answers /ide/info.json with what info returns.
func New(files fs.FS, info func() Info) *Handler {
	if info == nil {
		info = func() Info { return Info{} }
	}
	return &Handler{files: files, built: Built(files), info: info, cache: make(map[string]*asset)}
}

// Paths are the URL paths a Handler answers: mount it on each.
var Paths = []string{"/{$}", "/index.html", "/assets/", "/ide/info.json"}

// ServeHTTP answers GET and HEAD of the page, its assets and
// /ide/info.json; anything else is 404 (or 405 for another method).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("Content-Security-Policy", CSP)
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "no-referrer")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hdr.Set("Allow", "GET, HEAD")
		http.Error(w, "the IDE's files are read with GET", http.StatusMethodNotAllowed)
		return
	}
	p := r.URL.Path
	switch {
	case p == "/ide/info.json":
		h.serveInfo(w)
	case p == "/" || p == "/index.html":
		if !h.built {
			h.serveNotBuilt(w, r)
			return
		}
		// The page names the hashed assets, so it is checked on every load.
		hdr.Set("Cache-Control", "no-cache")
		h.serveFile(w, r, "index.html")
	case strings.HasPrefix(p, "/assets/"):
		// Asset names carry a hash of their content: cache them for good.
		hdr.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.serveFile(w, r, strings.TrimPrefix(p, "/"))
	default:
		http.NotFound(w, r)
	}
}

func (h *Handler) serveFile(w http.ResponseWriter, r *http.Request, name string) {
	a, err := h.load(name)
	if err != nil {
		w.Header().Del("Cache-Control")
		if errors.Is(err, fs.ErrNotExist) {
			http.NotFound(w, r)
			return
		}
		http.Error(w, "reading "+name+": "+err.Error(), http.StatusInternalServerError)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", a.ctype)
	hdr.Add("Vary", "Accept-Encoding")
	data, etag := a.data, a.etag
	if a.gz != nil && acceptsGzip(r) {
		data, etag = a.gz, strings.TrimSuffix(a.etag, `"`)+`-gz"`
		hdr.Set("Content-Encoding", "gzip")
	}
	hdr.Set("ETag", etag)
	// ServeContent answers If-None-Match with 304, HEAD and ranges.
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(data))
}

// load reads name from the bundle once and keeps it with its gzip copy.
func (h *Handler) load(name string) (*asset, error) {
	if !fs.ValidPath(name) {
		return nil, fs.ErrNotExist
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if a, ok := h.cache[name]; ok {
		return a, nil
	}
	if st, err := fs.Stat(h.files, name); err != nil {
		return nil, err
	} else if st.IsDir() {
		return nil, fs.ErrNotExist
	}
	data, err := fs.ReadFile(h.files, name)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	a := &asset{data: data, etag: `"` + hex.EncodeToString(sum[:12]) + `"`, ctype: contentType(name)}
	if compressible(a.ctype) && len(data) > 512 {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		zw.Write(data)
		zw.Close()
		if b.Len() < len(data) {
			a.gz = b.Bytes()
		}
	}
	h.cache[name] = a
	return a, nil
}

// types are the content types of what the build writes, set explicitly so
// neither the system's mime tables nor sniffing can change them.
var types = map[string]string{
	".html":  "text/html; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".css":   "text/css; charset=utf-8",
	".json":  "application/json",
	".svg":   "image/svg+xml",
	".png":   "image/png",
	".woff2": "font/woff2",
	".txt":   "text/plain; charset=utf-8",
}

func contentType(name string) string {
	if t, ok := types[path.Ext(name)]; ok {
		return t
	}
	return "application/octet-stream"
}

func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") || ctype == "application/json" || ctype == "image/svg+xml"
}

// acceptsGzip reports whether the request's Accept-Encoding lists gzip
// with a quality above zero.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		q := strings.ReplaceAll(params, " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

func (h *Handler) serveInfo(w http.ResponseWriter) {
	info := h.info()
	if info.Services == nil {
		info.Services = []string{}
	}
	if info.Languages == nil {
		info.Languages = []Language{}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(info)
}

// notBuilt is the page of a pid1 compiled without the bundle.
const notBuilt = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>pid1: the IDE is not built</title><link rel="icon" href="data:,"></head>
<body>
<h1>This pid1 was built without its IDE</h1>
<p>The browser IDE is a TypeScript bundle that pid1 embeds when it is compiled. Build it, then build pid1 again:</p>
<pre>make build        # npm ci and esbuild in web/, then go build: bin/pid1
make run          # the same, then starts pid1 and prints the IDE's URL</pre>
<p>or by hand: <code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code>, then <code>go build ./pid1</code>.
It needs Node.js and npm (the registry's packages only, nothing at run time).</p>
<p>Clients that speak the protocol, such as <code>conman-repl</code> and <code>@replit/crosis</code>, connect to <code>/wsv2/{token}</code> as before.</p>
</body></html>
`

func (h *Handler) serveNotBuilt(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if r.Method == http.MethodHead {
		return
	}
	w.Write([]byte(notBuilt))
}
