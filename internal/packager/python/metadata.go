package python

import (
	"strconv"
	"strings"

	"github.com/pid1/pid1/internal/packager"
)

// metadata is what info reads of a distribution's core metadata.
type metadata struct {
	name, version, summary, homepage, author, authorEmail, license string
	urls                                                           map[string]string // Project-URL: label → URL
	requires                                                       []string          // Requires-Dist
}

// parseMetadata reads core metadata (METADATA, PKG-INFO): email-style
// headers up to the first empty line.
func parseMetadata(text string) metadata {
	m := metadata{urls: map[string]string{}}
	var key, val string
	flush := func() {
		switch strings.ToLower(key) {
		case "name":
			m.name = val
		case "version":
			m.version = val
		case "summary":
			m.summary = val
		case "home-page":
			m.homepage = val
		case "author":
			m.author = val
		case "author-email":
			m.authorEmail = val
		case "license":
			m.license = val
		case "license-expression":
			m.license = val
		case "project-url":
			if label, u, ok := strings.Cut(val, ","); ok {
				m.urls[strings.TrimSpace(label)] = strings.TrimSpace(u)
			}
		case "requires-dist":
			m.requires = append(m.requires, val)
		}
		key, val = "", ""
	}
	for _, l := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if l == "" {
			break
		}
		if l[0] == ' ' || l[0] == '\t' {
			val += " " + strings.TrimSpace(l)
			continue
		}
		flush()
		k, v, ok := strings.Cut(l, ":")
		if ok {
			key, val = k, strings.TrimSpace(v)
		}
	}
	flush()
	return m
}

// url is the first Project-URL whose label (compared loosely) is one of
// labels.
func (m metadata) url(labels ...string) string {
	for _, want := range labels {
		for label, u := range m.urls {
			if strings.EqualFold(strings.NewReplacer(" ", "", "-", "", "_", "").Replace(label), want) {
				return u
			}
		}
	}
	return ""
}

func (m metadata) pkg() packager.Pkg {
	author := m.author
	if m.authorEmail != "" {
		author = strings.TrimSpace(author + " <" + m.authorEmail + ">")
	}
	license := m.license
	if len(license) > 200 { // some put the whole license text here
		license = license[:200] + "…"
	}
	p := packager.Pkg{
		Name:          m.name,
		Version:       m.version,
		Description:   m.summary,
		Homepage:      first(m.homepage, m.url("homepage", "home")),
		Documentation: m.url("documentation", "docs"),
		Source:        m.url("source", "sourcecode", "repository", "code", "github"),
		BugTracker:    m.url("bugtracker", "issues", "tracker", "bugs", "issuetracker"),
		Author:        author,
		License:       license,
	}
	for _, r := range m.requires {
		if _, marker, ok := strings.Cut(r, ";"); ok && strings.Contains(marker, "extra") {
			continue // an optional feature's requirement
		}
		if name, _ := splitRequirement(r); name != "" {
			p.Dependencies = append(p.Dependencies, name)
		}
	}
	return p
}

// compareVersions orders PEP 440 versions well enough to pick the newest:
// release numbers compared numerically, a final release after its
// pre-releases (a, b, rc) and dev releases, a post-release after it.
func compareVersions(a, b string) int {
	ra, sa := splitVersion(a)
	rb, sb := splitVersion(b)
	for i := 0; i < len(ra) || i < len(rb); i++ {
		var x, y int
		if i < len(ra) {
			x = ra[i]
		}
		if i < len(rb) {
			y = rb[i]
		}
		if x != y {
			return x - y
		}
	}
	return suffixRank(sa) - suffixRank(sb)
}

// splitVersion splits "1.2.3rc1" into [1 2 3] and "rc1".
func splitVersion(v string) ([]int, string) {
	v = strings.TrimPrefix(strings.ToLower(v), "v")
	if _, after, ok := strings.Cut(v, "!"); ok {
		v = after
	}
	var nums []int
	for {
		i := 0
		for i < len(v) && v[i] >= '0' && v[i] <= '9' {
			i++
		}
		if i == 0 {
			return nums, v
		}
		n, _ := strconv.Atoi(v[:i])
		nums = append(nums, n)
		v = v[i:]
		if !strings.HasPrefix(v, ".") || len(v) < 2 || v[1] < '0' || v[1] > '9' {
			return nums, strings.TrimLeft(v, ".-_")
		}
		v = v[1:]
	}
}

func suffixRank(s string) int {
	switch {
	case s == "" || strings.HasPrefix(s, "+"):
		return 0
	case strings.HasPrefix(s, "post"):
		return 1
	case strings.HasPrefix(s, "rc"), strings.HasPrefix(s, "c"):
		return -1
	case strings.HasPrefix(s, "b"):
		return -2
	case strings.HasPrefix(s, "a"):
		return -3
	}
	return -4 // dev
}
