package nodejs

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/pid1/pid1/internal/packager"
)

// registry is the registry npm is configured with, ending in "/".
func registry(ctx context.Context, w packager.Workspace) (string, error) {
	out, err := w.Output(ctx, []string{"npm", "config", "get", "registry"})
	if err != nil {
		return "", packager.Explain(err, errorLine)
	}
	reg := strings.TrimSpace(string(out))
	u, err := url.Parse(reg)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("npm's registry setting %q is not an http(s) URL", reg)
	}
	if !strings.HasSuffix(reg, "/") {
		reg += "/"
	}
	return reg, nil
}

// documentURL is where the registry serves name's package document; a
// scope's slash is escaped, as npm does.
func documentURL(reg, name string) string {
	return reg + strings.Replace(url.PathEscape(name), "%2F", "%2f", 1)
}

// noSearch are the statuses of a registry that has no search endpoint.
func noSearch(status int) bool {
	return status == http.StatusNotFound || status == http.StatusMethodNotAllowed || status == http.StatusNotImplemented
}

func (b Backend) Search(ctx context.Context, w packager.Workspace, query string) (packager.SearchResult, error) {
	query = strings.TrimSpace(query)
	if query == "" {
		return packager.SearchResult{}, fmt.Errorf("packageSearch needs a query")
	}
	reg, err := registry(ctx, w)
	if err != nil {
		return packager.SearchResult{}, err
	}
	r, err := packager.Get(ctx, w.Client(), fmt.Sprintf("%s-/v1/search?text=%s&size=%d", reg, url.QueryEscape(query), packager.MaxResults), "application/json")
	if err != nil {
		return packager.SearchResult{}, err
	}
	if noSearch(r.Status) {
		note := fmt.Sprintf("the registry %s has no search (HTTP %d): looked up the exact name %q instead", reg, r.Status, query)
		p, err := info(ctx, w, reg, query)
		var nf *packager.NotFound
		switch {
		case err == nil:
			return packager.SearchResult{Pkgs: []packager.Pkg{p}, Note: note}, nil
		case asNotFound(err, &nf):
			return packager.SearchResult{Note: note}, nil
		}
		return packager.SearchResult{}, err
	}
	if !r.OK() {
		return packager.SearchResult{}, r.Unexpected()
	}
	pkgs, err := parseSearch(r.Body)
	if err != nil {
		return packager.SearchResult{}, fmt.Errorf("%s: %w", r.URL, err)
	}
	return packager.SearchResult{Pkgs: pkgs}, nil
}

func (Backend) Info(ctx context.Context, w packager.Workspace, name string) (packager.Pkg, error) {
	if err := checkName(name); err != nil {
		return packager.Pkg{}, err
	}
	reg, err := registry(ctx, w)
	if err != nil {
		return packager.Pkg{}, err
	}
	return info(ctx, w, reg, name)
}

// checkName refuses what cannot be an npm package name, before it goes
// into a URL.
func checkName(name string) error {
	if name == "" || len(name) > 214 || strings.ContainsAny(name, " \t\n\r?#%\\:") || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "-") ||
		strings.Count(name, "/") > 1 || (strings.Contains(name, "/") && !strings.HasPrefix(name, "@")) {
		return fmt.Errorf("%q is not an npm package name", name)
	}
	return nil
}

func info(ctx context.Context, w packager.Workspace, reg, name string) (packager.Pkg, error) {
	if err := checkName(name); err != nil {
		return packager.Pkg{}, err
	}
	r, err := packager.Get(ctx, w.Client(), documentURL(reg, name), "application/json")
	if err != nil {
		return packager.Pkg{}, err
	}
	if r.Status == http.StatusNotFound {
		return packager.Pkg{}, &packager.NotFound{Name: name, Registry: reg}
	}
	if !r.OK() {
		return packager.Pkg{}, r.Unexpected()
	}
	p, err := parseDocument(r.Body)
	if err != nil {
		return packager.Pkg{}, fmt.Errorf("%s: %w", r.URL, err)
	}
	return p, nil
}

func asNotFound(err error, nf **packager.NotFound) bool {
	e, ok := err.(*packager.NotFound)
	*nf = e
	return ok
}

// searchAnswer is /-/v1/search's answer, as npmjs and verdaccio give it.
type searchAnswer struct {
	Objects []struct {
		Package struct {
			Name        string            `json:"name"`
			Version     string            `json:"version"`
			Description string            `json:"description"`
			DistTags    map[string]string `json:"dist-tags"`
			Links       struct {
				Homepage   string `json:"homepage"`
				Repository string `json:"repository"`
				Bugs       string `json:"bugs"`
			} `json:"links"`
			Author     json.RawMessage `json:"author"`
			Publisher  json.RawMessage `json:"publisher"`
			License    json.RawMessage `json:"license"`
			Homepage   json.RawMessage `json:"homepage"`
			Repository json.RawMessage `json:"repository"`
			Bugs       json.RawMessage `json:"bugs"`
		} `json:"package"`
	} `json:"objects"`
}

func parseSearch(body []byte) ([]packager.Pkg, error) {
	var a searchAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, fmt.Errorf("not a search answer: %w", err)
	}
	var out []packager.Pkg
	for _, o := range a.Objects {
		p := o.Package
		if p.Name == "" {
			continue
		}
		author := person(p.Author)
		if author == "" {
			author = person(p.Publisher)
		}
		out = append(out, packager.Pkg{
			Name:        p.Name,
			Description: p.Description,
			Version:     first(p.Version, p.DistTags["latest"]),
			Homepage:    first(p.Links.Homepage, urlOf(p.Homepage)),
			Source:      first(p.Links.Repository, urlOf(p.Repository)),
			BugTracker:  first(p.Links.Bugs, urlOf(p.Bugs)),
			Author:      author,
			License:     license(p.License),
		})
		if len(out) == packager.MaxResults {
			break
		}
	}
	return out, nil
}

// document is the part of a package document (GET /NAME) info reads.
// npmjs has the metadata at the top level too; verdaccio only in each
// version's manifest.
type document struct {
	Name     string                     `json:"name"`
	DistTags map[string]string          `json:"dist-tags"`
	Versions map[string]versionManifest `json:"versions"`
	versionManifest
}

// versionManifest is one version's manifest (or a document's top level).
type versionManifest struct {
	Description  string            `json:"description"`
	Homepage     json.RawMessage   `json:"homepage"`
	Repository   json.RawMessage   `json:"repository"`
	Bugs         json.RawMessage   `json:"bugs"`
	Author       json.RawMessage   `json:"author"`
	License      json.RawMessage   `json:"license"`
	Dependencies map[string]string `json:"dependencies"`
}

func parseDocument(body []byte) (packager.Pkg, error) {
	var d document
	if err := json.Unmarshal(body, &d); err != nil {
		return packager.Pkg{}, fmt.Errorf("not a package document: %w", err)
	}
	if d.Name == "" {
		return packager.Pkg{}, fmt.Errorf("not a package document: no name")
	}
	version := d.DistTags["latest"]
	m, ok := d.Versions[version]
	if !ok {
		m = d.versionManifest
	}
	top := d.versionManifest
	p := packager.Pkg{
		Name:        d.Name,
		Version:     version,
		Description: first(m.Description, top.Description),
		Homepage:    first(urlOf(m.Homepage), urlOf(top.Homepage)),
		Source:      first(urlOf(m.Repository), urlOf(top.Repository)),
		BugTracker:  first(urlOf(m.Bugs), urlOf(top.Bugs)),
		Author:      first(person(m.Author), person(top.Author)),
		License:     first(license(m.License), license(top.License)),
	}
	p.Documentation = p.Homepage
	for dep := range m.Dependencies {
		p.Dependencies = append(p.Dependencies, dep)
	}
	sortStrings(p.Dependencies)
	return p, nil
}

func first(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// urlOf reads a URL field written as a string, as {url} (repository,
// bugs) or as a list of those.
func urlOf(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var o struct {
		URL string `json:"url"`
	}
	if json.Unmarshal(raw, &o) == nil {
		return o.URL
	}
	var l []json.RawMessage
	if json.Unmarshal(raw, &l) == nil && len(l) > 0 {
		return urlOf(l[0])
	}
	return ""
}

// person reads an author written as "Name <mail> (url)" or as
// {name, email, url}.
func person(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var o struct {
		Name     string `json:"name"`
		Username string `json:"username"`
		Email    string `json:"email"`
		URL      string `json:"url"`
	}
	if json.Unmarshal(raw, &o) != nil {
		return ""
	}
	out := first(o.Name, o.Username)
	if o.Email != "" {
		out = strings.TrimSpace(out + " <" + o.Email + ">")
	}
	if o.URL != "" {
		out = strings.TrimSpace(out + " (" + o.URL + ")")
	}
	return out
}

// license reads a license written as a string, as {type} or as a
// licenses list.
func license(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var o struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(raw, &o) == nil {
		return o.Type
	}
	var l []json.RawMessage
	if json.Unmarshal(raw, &l) == nil {
		var ts []string
		for _, x := range l {
			if t := license(x); t != "" {
				ts = append(ts, t)
			}
		}
		return strings.Join(ts, " OR ")
	}
	return ""
}
