package python

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/pid1/pid1/internal/packager"
)

// defaultIndex is pip's index when nothing configures one.
const defaultIndex = "https://pypi.org/simple/"

// index is the index pip is configured with, ending in "/": what `pip
// config list` says (PIP_INDEX_URL over the configuration files, an
// [install] setting over a [global] one).
func (b Backend) index(ctx context.Context, w packager.Workspace) (string, error) {
	out, err := w.Output(ctx, []string{b.python(w), "-m", "pip", "config", "list"}, pipEnv...)
	if err != nil {
		return "", packager.Explain(err, errorLine)
	}
	idx := indexFromConfig(string(out))
	if idx == "" {
		idx = defaultIndex
	}
	u, err := url.Parse(idx)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("pip's index-url %q is not an http(s) URL", idx)
	}
	if !strings.HasSuffix(idx, "/") {
		idx += "/"
	}
	return idx, nil
}

// indexFromConfig picks index-url from `pip config list` output
// (lines like global.index-url='URL' and :env:.index-url='URL').
func indexFromConfig(out string) string {
	rank := map[string]int{"global": 1, "install": 2, ":env:": 3}
	best, bestRank := "", 0
	for _, l := range strings.Split(out, "\n") {
		key, val, ok := strings.Cut(strings.TrimSpace(l), "=")
		section, name, ok2 := strings.Cut(key, ".")
		if !ok || !ok2 || name != "index-url" {
			continue
		}
		val = strings.Trim(val, `'"`)
		if r := rank[section]; r >= bestRank && r > 0 {
			best, bestRank = val, r
		}
	}
	return best
}

func checkName(name string) error {
	if nameRE.FindString(name) != name || name == "" {
		return fmt.Errorf("%q is not a Python distribution name", name)
	}
	return nil
}

func (b Backend) Info(ctx context.Context, w packager.Workspace, name string) (packager.Pkg, error) {
	if err := checkName(name); err != nil {
		return packager.Pkg{}, err
	}
	idx, err := b.index(ctx, w)
	if err != nil {
		return packager.Pkg{}, err
	}
	if api, ok := jsonAPI(idx, name); ok {
		r, err := packager.Get(ctx, w.Client(), api, "application/json")
		if err != nil {
			return packager.Pkg{}, err
		}
		if r.OK() {
			if p, err := parseJSONInfo(r.Body); err == nil {
				return p, nil
			}
		}
	}
	return simpleInfo(ctx, w.Client(), idx, name)
}

// jsonAPI is where an index like PyPI's (.../simple/) serves its JSON
// API for name.
func jsonAPI(idx, name string) (string, bool) {
	base, ok := strings.CutSuffix(idx, "simple/")
	if !ok {
		return "", false
	}
	return base + "pypi/" + url.PathEscape(normalize(name)) + "/json", true
}

// jsonInfo is the part of /pypi/NAME/json info reads.
type jsonInfo struct {
	Info struct {
		Name         string            `json:"name"`
		Version      string            `json:"version"`
		Summary      string            `json:"summary"`
		HomePage     string            `json:"home_page"`
		DocsURL      string            `json:"docs_url"`
		BugtrackURL  string            `json:"bugtrack_url"`
		Author       string            `json:"author"`
		AuthorEmail  string            `json:"author_email"`
		License      string            `json:"license"`
		ProjectURLs  map[string]string `json:"project_urls"`
		RequiresDist []string          `json:"requires_dist"`
	} `json:"info"`
}

func parseJSONInfo(body []byte) (packager.Pkg, error) {
	var j jsonInfo
	if err := json.Unmarshal(body, &j); err != nil || j.Info.Name == "" {
		return packager.Pkg{}, fmt.Errorf("not a JSON API answer")
	}
	m := metadata{name: j.Info.Name, version: j.Info.Version, summary: j.Info.Summary, homepage: j.Info.HomePage,
		author: j.Info.Author, authorEmail: j.Info.AuthorEmail, license: j.Info.License, urls: j.Info.ProjectURLs,
		requires: j.Info.RequiresDist}
	p := m.pkg()
	p.Documentation = first(j.Info.DocsURL, p.Documentation)
	p.BugTracker = first(j.Info.BugtrackURL, p.BugTracker)
	return p, nil
}

// simpleAccept asks for PEP 691 JSON, or PEP 503 HTML.
const simpleAccept = "application/vnd.pypi.simple.v1+json, text/html;q=0.1"

// file is one distribution file a simple index lists.
type file struct {
	name, url string
	metadata  bool // PEP 658: the core metadata is at url + ".metadata"
}

// projectFiles lists name's files on the simple index; nil when the index
// does not have the project.
func projectFiles(ctx context.Context, c *http.Client, idx, name string) ([]file, error) {
	page := idx + url.PathEscape(normalize(name)) + "/"
	r, err := packager.Get(ctx, c, page, simpleAccept)
	if err != nil {
		return nil, err
	}
	if r.Status == http.StatusNotFound {
		return nil, &packager.NotFound{Name: name, Registry: idx}
	}
	if !r.OK() {
		return nil, r.Unexpected()
	}
	base, _ := url.Parse(page)
	var fs []file
	add := func(fname, href string, meta bool) {
		u, err := base.Parse(href)
		if err != nil {
			return
		}
		u.Fragment = ""
		fs = append(fs, file{name: fname, url: u.String(), metadata: meta})
	}
	var j struct {
		Files []struct {
			Filename string          `json:"filename"`
			URL      string          `json:"url"`
			Core     json.RawMessage `json:"core-metadata"`
			Dist     json.RawMessage `json:"dist-info-metadata"`
		} `json:"files"`
	}
	if json.Unmarshal(r.Body, &j) == nil && j.Files != nil {
		for _, f := range j.Files {
			add(f.Filename, f.URL, truthy(f.Core) || truthy(f.Dist))
		}
		return fs, nil
	}
	for _, a := range anchors(string(r.Body)) {
		fname := a.text
		if i := strings.LastIndexByte(strings.SplitN(a.href, "#", 2)[0], '/'); fname == "" && i >= 0 {
			fname = a.href[i+1:]
		}
		add(fname, a.href, a.attrs["data-core-metadata"] != "" || a.attrs["data-dist-info-metadata"] != "")
	}
	return fs, nil
}

func truthy(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s != "" && s != "false" && s != "null"
}

// anchor is one <a> of a simple index page.
type anchor struct {
	href, text string
	attrs      map[string]string
}

var (
	anchorRE = regexp.MustCompile(`(?is)<a\s([^>]*)>(.*?)</a>`)
	attrRE   = regexp.MustCompile(`(?s)([a-zA-Z-]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?`)
)

// anchors reads the links of a simple index page (PEP 503: one <a> per
// project or file; attributes may carry PEP 658 metadata hints).
func anchors(page string) []anchor {
	var out []anchor
	for _, m := range anchorRE.FindAllStringSubmatch(page, -1) {
		a := anchor{text: strings.TrimSpace(html.UnescapeString(m[2])), attrs: map[string]string{}}
		for _, at := range attrRE.FindAllStringSubmatch(m[1], -1) {
			v := html.UnescapeString(strings.Trim(at[2], `"'`))
			if v == "" {
				v = "true"
			}
			a.attrs[strings.ToLower(at[1])] = v
		}
		a.href = a.attrs["href"]
		if a.href != "" {
			out = append(out, a)
		}
	}
	return out
}

// simpleInfo describes name from the simple index: the newest version's
// wheel's core metadata (its PEP 658 file, or read from the wheel).
func simpleInfo(ctx context.Context, c *http.Client, idx, name string) (packager.Pkg, error) {
	fs, err := projectFiles(ctx, c, idx, name)
	if err != nil {
		return packager.Pkg{}, err
	}
	version, files := newest(name, fs)
	if version == "" {
		return packager.Pkg{}, &packager.NotFound{Name: name, Registry: idx}
	}
	p := packager.Pkg{Name: name, Version: version}
	for _, f := range files {
		if !strings.HasSuffix(f.name, ".whl") {
			continue
		}
		m, err := wheelMetadata(ctx, c, f)
		if err != nil {
			return p, nil // the version is known; the rest is not
		}
		return m.pkg(), nil
	}
	return p, nil
}

// newest is the highest version among fs (final releases over
// pre-releases) and its files.
func newest(name string, fs []file) (string, []file) {
	byVersion := map[string][]file{}
	var versions []string
	for _, f := range fs {
		v := versionOf(name, f.name)
		if v == "" {
			continue
		}
		if _, ok := byVersion[v]; !ok {
			versions = append(versions, v)
		}
		byVersion[v] = append(byVersion[v], f)
	}
	if len(versions) == 0 {
		return "", nil
	}
	sort.Slice(versions, func(i, j int) bool { return compareVersions(versions[i], versions[j]) > 0 })
	return versions[0], byVersion[versions[0]]
}

// versionOf is the version in a distribution file's name: a wheel's
// NAME-VERSION-...whl, an sdist's NAME-VERSION.tar.gz or .zip.
func versionOf(name, fname string) string {
	n := normalize(name)
	switch {
	case strings.HasSuffix(fname, ".whl"):
		parts := strings.Split(strings.TrimSuffix(fname, ".whl"), "-")
		if len(parts) >= 5 && normalize(parts[0]) == n {
			return parts[1]
		}
	case strings.HasSuffix(fname, ".tar.gz"), strings.HasSuffix(fname, ".zip"):
		base := strings.TrimSuffix(strings.TrimSuffix(fname, ".tar.gz"), ".zip")
		if i := strings.LastIndexByte(base, '-'); i > 0 && normalize(base[:i]) == n {
			return base[i+1:]
		}
	}
	return ""
}

// maxWheel is the largest wheel info downloads to read its metadata.
const maxWheel = 32 << 20

func wheelMetadata(ctx context.Context, c *http.Client, f file) (metadata, error) {
	if f.metadata {
		r, err := packager.Get(ctx, c, f.url+".metadata", "")
		if err == nil && r.OK() {
			return parseMetadata(string(r.Body)), nil
		}
	}
	r, err := packager.Get(ctx, c, f.url, "")
	if err != nil {
		return metadata{}, err
	}
	if !r.OK() || len(r.Body) > maxWheel {
		return metadata{}, r.Unexpected()
	}
	z, err := zip.NewReader(bytes.NewReader(r.Body), int64(len(r.Body)))
	if err != nil {
		return metadata{}, err
	}
	for _, zf := range z.File {
		if dir, base, ok := strings.Cut(zf.Name, "/"); ok && strings.HasSuffix(dir, ".dist-info") && base == "METADATA" && zf.UncompressedSize64 < 1<<20 {
			rc, err := zf.Open()
			if err != nil {
				return metadata{}, err
			}
			var b bytes.Buffer
			_, err = b.ReadFrom(rc)
			rc.Close()
			if err != nil {
				return metadata{}, err
			}
			return parseMetadata(b.String()), nil
		}
	}
	return metadata{}, fmt.Errorf("%s has no METADATA", f.name)
}

func (b Backend) Search(ctx context.Context, w packager.Workspace, query string) (packager.SearchResult, error) {
	q := normalize(strings.TrimSpace(query))
	if q == "" || q == "-" {
		return packager.SearchResult{}, fmt.Errorf("packageSearch needs a query")
	}
	idx, err := b.index(ctx, w)
	if err != nil {
		return packager.SearchResult{}, err
	}
	r, err := packager.Get(ctx, w.Client(), idx, simpleAccept)
	if err != nil {
		return packager.SearchResult{}, err
	}
	if !r.OK() {
		return packager.SearchResult{}, r.Unexpected()
	}
	names := matching(projectNames(r.Body), q)
	if len(names) > packager.MaxResults {
		names = names[:packager.MaxResults]
	}
	pkgs := make([]packager.Pkg, len(names))
	var wg sync.WaitGroup
	for i, n := range names {
		pkgs[i].Name = n
		wg.Go(func() {
			if fs, err := projectFiles(ctx, w.Client(), idx, n); err == nil {
				pkgs[i].Version, _ = newest(n, fs)
			}
		})
	}
	wg.Wait()
	return packager.SearchResult{Pkgs: pkgs, Note: fmt.Sprintf("Python indexes have no search: these are the projects %s lists whose names contain %q", idx, query)}, nil
}

// projectNames reads the project list of a simple index's root page.
func projectNames(body []byte) []string {
	var j struct {
		Projects []struct {
			Name string `json:"name"`
		} `json:"projects"`
	}
	var out []string
	if json.Unmarshal(body, &j) == nil && j.Projects != nil {
		for _, p := range j.Projects {
			out = append(out, p.Name)
		}
		return out
	}
	for _, a := range anchors(string(body)) {
		n := a.text
		if n == "" {
			n = strings.Trim(a.href, "/")
		}
		out = append(out, strings.TrimSuffix(n, "/"))
	}
	return out
}

// matching are the names containing q (normalized), those that begin
// with it first, then the shorter, then alphabetically.
func matching(names []string, q string) []string {
	var out []string
	seen := map[string]bool{}
	for _, n := range names {
		nn := normalize(n)
		if strings.Contains(nn, q) && !seen[nn] {
			seen[nn] = true
			out = append(out, n)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := normalize(out[i]), normalize(out[j])
		pa, pb := strings.HasPrefix(a, q), strings.HasPrefix(b, q)
		switch {
		case pa != pb:
			return pa
		case len(a) != len(b):
			return len(a) < len(b)
		}
		return a < b
	})
	return out
}

func first(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// parsePipList reads `pip list --format=json`.
func parsePipList(out []byte) ([]packager.Pkg, error) {
	var l []struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	}
	if err := json.Unmarshal(out, &l); err != nil {
		return nil, fmt.Errorf("pip list: %w", err)
	}
	var pkgs []packager.Pkg
	for _, p := range l {
		pkgs = append(pkgs, packager.Pkg{Name: p.Name, Version: p.Version})
	}
	return pkgs, nil
}
