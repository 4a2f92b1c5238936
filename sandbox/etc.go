//go:build linux

package sandbox

import (
	"os"
	"path"
	"slices"
	"strings"
)

// etcAllow is what a run sees of the host's /etc: what toolchains and the
// C library read. Patterns are matched against /etc's entries (path.Match);
// an entry with a slash names one nested path. Secrets (shadow, gshadow,
// ssh, ssl/private, sudoers, machine-id) are never on it.
var etcAllow = []string{
	"alternatives", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone",
	"nsswitch.conf", "host.conf", "gai.conf", "mime.types", "magic", "magic.mime", "protocols", "services",
	"ssl/certs", "ssl/openssl.cnf", "ca-certificates", "ca-certificates.conf",
	"bash.bashrc", "inputrc", "profile", "zsh", "terminfo", "debian_version", "os-release",
	"java-*", "php", "perl", "python3", "python3.*", "ruby", "lua*", "texmf", "fonts",
	"ghostscript", "ImageMagick-*", "papersize", "libpaper.d", "xml", "sgml",
}

// expandEtc lists the allowed entries present in dir (the host's /etc).
func expandEtc(dir string, allow []string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, pat := range allow {
		if strings.Contains(pat, "/") {
			if _, err := os.Lstat(path.Join(dir, pat)); err == nil {
				out = append(out, pat)
			}
			continue
		}
		for _, e := range entries {
			if ok, _ := path.Match(pat, e.Name()); ok && !slices.Contains(out, e.Name()) {
				out = append(out, e.Name())
			}
		}
	}
	return out
}

// etcFiles are generated for every run instead of the host's.
func etcFiles(hostname string) []fileSpec {
	return []fileSpec{
		{"passwd", "root:x:0:0:root:" + WorkDir + ":/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"},
		{"group", "root:x:0:\nnogroup:x:65534:\n"},
		{"hosts", "127.0.0.1\tlocalhost " + hostname + "\n::1\tlocalhost ip6-localhost ip6-loopback\n"},
		{"hostname", hostname + "\n"},
	}
}

type fileSpec struct{ name, data string }
