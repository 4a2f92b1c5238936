package ranna

import (
	"regexp"
	"strings"
)

// Inline is a language's template for inline expressions: code that is
// only a function's body. The template's $${CODE} is replaced by the
// code with its imports taken out, and $${IMPORTS} by those imports (the
// lines ImportRegex matches), one a line, so that `import "time"` written
// among statements lands where Go wants it.
type Inline struct {
	ImportRegex string `json:"import_regex,omitempty"`
	Template    string `json:"template"`
	re          *regexp.Regexp
}

// The template's placeholders, as ranna spells them.
const (
	phImports = "$${IMPORTS}"
	phCode    = "$${CODE}"
)

func newInline(importRegex, template string) *Inline {
	in := &Inline{ImportRegex: importRegex, Template: template}
	if importRegex != "" {
		in.re = regexp.MustCompile(importRegex)
	}
	return in
}

// Expand puts code into the template.
func (in *Inline) Expand(code string) string {
	var imports []string
	if in.re != nil {
		for _, m := range in.re.FindAllString(code, -1) {
			imports = append(imports, strings.TrimSpace(m))
		}
		code = in.re.ReplaceAllLiteralString(code, "")
	}
	// One pass over the template: placeholders inside the code stay.
	return strings.NewReplacer(phImports, strings.Join(imports, "\n"), phCode, code).Replace(in.Template)
}

// The templates. Imports are whole lines: Go's single and grouped
// imports, C and C++ #include lines, Rust's use declarations, Java's
// imports; PHP needs none.
var (
	goInline = newInline(`(?m)^[ \t]*import[ \t]*(?:[\w.]+[ \t]+)?"[^"\n]*"[ \t]*;?[ \t]*$|^[ \t]*import[ \t]*\([^)]*\)[ \t]*;?[ \t]*$`,
		"package main\n\n"+phImports+"\n\nfunc main() {\n"+phCode+"\n}\n")
	cInline = newInline(`(?m)^[ \t]*#[ \t]*include[ \t]*[<"][^>"\n]+[>"][ \t]*$`,
		phImports+"\n\nint main(void) {\n"+phCode+"\nreturn 0;\n}\n")
	cppInline = newInline(cInline.ImportRegex,
		phImports+"\n\nint main() {\n"+phCode+"\nreturn 0;\n}\n")
	rustInline = newInline(`(?m)^[ \t]*use[ \t]+[^;\n]+;[ \t]*$`,
		phImports+"\n\nfn main() {\n"+phCode+"\n}\n")
	javaInline = newInline(`(?m)^[ \t]*import[ \t]+(?:static[ \t]+)?[\w.]+(?:\.\*)?[ \t]*;[ \t]*$`,
		phImports+"\n\npublic class Main {\n    public static void main(String[] args) throws Exception {\n"+phCode+"\n    }\n}\n")
	phpInline = newInline("", "<?php\n"+phCode+"\n")
)
