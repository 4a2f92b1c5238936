package python

import (
	"context"
	"encoding/json"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/pid1/pid1/internal/packager"
)

var (
	importRE = regexp.MustCompile(`^\s*import\s+(.+)$`)
	fromRE   = regexp.MustCompile(`^\s*from\s+([A-Za-z_][A-Za-z0-9_.]*)\s+import\b`)
)

// Import is a module a Python file imports, and the distribution a
// "upm package(NAME)" comment on its line names for it, if any.
type Import struct {
	Module string // dotted, as written ("google.protobuf")
	Pragma string
}

// Imports lists the absolute imports of src (import a.b, c as d; from
// x.y import z), in order, each module once. Relative imports are the
// workspace's own; lines continued with a backslash are joined.
func Imports(src string) []Import {
	var out []Import
	seen := map[string]bool{}
	add := func(mod, pragma string) {
		if mod != "" && !seen[mod] {
			seen[mod] = true
			out = append(out, Import{Module: mod, Pragma: pragma})
		}
	}
	lines := strings.Split(strings.ReplaceAll(src, "\\\n", " "), "\n")
	for _, l := range lines {
		code, comment, _ := strings.Cut(l, "#")
		pragma := packager.Pragma(comment)
		if m := fromRE.FindStringSubmatch(code); m != nil {
			add(m[1], pragma)
			continue
		}
		if m := importRE.FindStringSubmatch(code); m != nil {
			for _, part := range strings.Split(strings.SplitN(m[1], ";", 2)[0], ",") {
				mod := strings.Fields(strings.Trim(part, " ()"))
				if len(mod) > 0 && moduleRE.MatchString(mod[0]) {
					add(mod[0], pragma)
				}
			}
		}
	}
	return out
}

var moduleRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.]*$`)

// distributions are the distributions whose modules are named otherwise,
// for the imports people most often write (checked longest prefix first).
var distributions = map[string]string{
	"bs4":                 "beautifulsoup4",
	"yaml":                "PyYAML",
	"PIL":                 "Pillow",
	"cv2":                 "opencv-python",
	"sklearn":             "scikit-learn",
	"skimage":             "scikit-image",
	"dateutil":            "python-dateutil",
	"dotenv":              "python-dotenv",
	"jwt":                 "PyJWT",
	"discord":             "discord.py",
	"psycopg2":            "psycopg2-binary",
	"Crypto":              "pycryptodome",
	"serial":              "pyserial",
	"OpenSSL":             "pyOpenSSL",
	"google.protobuf":     "protobuf",
	"google.generativeai": "google-generativeai",
	"attr":                "attrs",
	"magic":               "python-magic",
	"usb":                 "pyusb",
	"git":                 "GitPython",
	"zmq":                 "pyzmq",
	"telegram":            "python-telegram-bot",
	"docx":                "python-docx",
	"pptx":                "python-pptx",
	"fitz":                "PyMuPDF",
	"MySQLdb":             "mysqlclient",
	"jose":                "python-jose",
	"slugify":             "python-slugify",
	"gi":                  "PyGObject",
	"wx":                  "wxPython",
	"glm":                 "PyGLM",
	"Levenshtein":         "python-Levenshtein",
	"multipart":           "python-multipart",
	"socketio":            "python-socketio",
	"engineio":            "python-engineio",
	"nacl":                "PyNaCl",
	"github":              "PyGithub",
	"kafka":               "kafka-python",
	"ldap":                "python-ldap",
	"markdown":            "Markdown",
	"flask_sqlalchemy":    "Flask-SQLAlchemy",
	"flask_cors":          "Flask-Cors",
	"flask_login":         "Flask-Login",
	"sqlalchemy":          "SQLAlchemy",
	"websocket":           "websocket-client",
	"win32api":            "pywin32",
	"pkg_resources":       "setuptools",
}

// neverGuessed are top-level names many distributions share (google.*)
// or that name no distribution of their own.
var neverGuessed = map[string]bool{"google": true, "__future__": true}

// Distribution is the distribution that provides module (dotted): from
// the table for its longest listed prefix, else its top-level name.
func Distribution(module string) string {
	parts := strings.Split(module, ".")
	for i := len(parts); i > 0; i-- {
		if d, ok := distributions[strings.Join(parts[:i], ".")]; ok {
			return d
		}
	}
	if neverGuessed[parts[0]] {
		return ""
	}
	return parts[0]
}

// missingScript prints which of the top-level modules in argv the
// interpreter cannot import (with "stdlib-only", only those that are not
// in its standard library: run outside the virtual environment, what the
// system has installed says nothing about it).
const missingScript = `import sys, json, importlib.util
only = sys.argv[1] == "stdlib-only"
out = []
for name in sys.argv[2:]:
    if name in sys.stdlib_module_names or name in sys.builtin_module_names:
        continue
    if not only:
        try:
            if importlib.util.find_spec(name) is not None:
                continue
        except Exception:
            pass
    out.append(name)
print(json.dumps(out))`

func (b Backend) Guess(ctx context.Context, w packager.Workspace, files []string) ([]string, error) {
	ignoredPkgs, ignoredPaths := w.Ignored()
	var imports []Import
	tops := []string{}
	for _, src := range packager.Sources(w.Dir(), files, ignoredPaths, ".py") {
		for _, im := range Imports(src.Text) {
			imports = append(imports, im)
			top, _, _ := strings.Cut(im.Module, ".")
			if !slices.Contains(tops, top) && !local(w, top) {
				tops = append(tops, top)
			}
		}
	}
	if len(tops) == 0 {
		return nil, nil
	}
	mode := "stdlib-only"
	if hasVenv(w) {
		mode = "importable"
	}
	out, err := w.Output(ctx, append([]string{b.python(w), "-c", missingScript, mode}, tops...))
	if err != nil {
		return nil, err
	}
	var missing []string
	if err := json.Unmarshal(out, &missing); err != nil {
		return nil, err
	}
	var guessed []string
	for _, im := range imports {
		top, _, _ := strings.Cut(im.Module, ".")
		if !slices.Contains(missing, top) {
			continue
		}
		d := im.Pragma
		if d == "" {
			d = Distribution(im.Module)
		}
		if d != "" && !slices.ContainsFunc(guessed, func(g string) bool { return normalize(g) == normalize(d) }) &&
			!slices.ContainsFunc(ignoredPkgs, func(g string) bool { return normalize(g) == normalize(d) }) {
			guessed = append(guessed, d)
		}
	}
	sort.Strings(guessed)
	return guessed, nil
}

// local reports whether the workspace has module top of its own (a .py
// file or a package directory at its top level).
func local(w packager.Workspace, top string) bool {
	return packager.Exists(w.Dir(), top+".py") || packager.Exists(w.Dir(), path.Join(top, "__init__.py"))
}
