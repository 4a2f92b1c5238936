package ranna

import (
	"strings"
	"testing"
)

func TestInlineHoistsImports(t *testing.T) {
	for _, c := range []struct {
		in                *Inline
		code              string
		imports, mainPart []string
	}{
		{goInline, "import \"time\"\nfor i := 0; i < 5; i++ { time.Sleep(1 * time.Second); println(\"👋\") }",
			[]string{`import "time"`}, []string{"for i := 0"}},
		{goInline, "x := 1\nimport (\n\t\"fmt\"\n\t\"os\"\n)\nimport str \"strings\"\nfmt.Println(x, os.Args, str.ToUpper(\"a\"))",
			[]string{"import (\n\t\"fmt\"\n\t\"os\"\n)", `import str "strings"`}, []string{"x := 1", "fmt.Println"}},
		{cInline, "#include <stdio.h>\n  # include \"local.h\"\nprintf(\"#include <x>\");",
			[]string{"#include <stdio.h>", `# include "local.h"`}, []string{`printf("#include <x>");`}},
		{rustInline, "use std::collections::HashMap;\nlet m: HashMap<i32, i32> = HashMap::new();",
			[]string{"use std::collections::HashMap;"}, []string{"let m"}},
		{javaInline, "import java.util.*;\nimport static java.lang.Math.max;\nSystem.out.println(max(1, 2));",
			[]string{"import java.util.*;", "import static java.lang.Math.max;"}, []string{"System.out.println"}},
	} {
		got := c.in.Expand(c.code)
		body := got[strings.Index(got, "main("):]
		for _, imp := range c.imports {
			if i := strings.Index(got, imp); i < 0 || i > strings.Index(got, "main(") {
				t.Errorf("%q: import %q not before main in\n%s", c.code, imp, got)
			}
		}
		for _, m := range c.mainPart {
			if !strings.Contains(body, m) {
				t.Errorf("%q: %q not in main in\n%s", c.code, m, got)
			}
		}
		if strings.Contains(got, "$${") {
			t.Errorf("placeholder left in\n%s", got)
		}
	}
	// The code's own text is not a placeholder.
	if got := phpInline.Expand(`echo "$${CODE}";`); got != "<?php\necho \"$${CODE}\";\n" {
		t.Errorf("php: %q", got)
	}
}
