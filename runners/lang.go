package runners

import (
	"os"
	"strconv"
	"strings"

	"github.com/pid1/pid1/sandbox"
)

// how says how a request reaches a language's toolchain.
//
// An interpreted language runs its interpreter directly: argv with
// "$options" and "$arguments" replaced by the request's lists and "$code"
// by the code file. A compiled language runs script with bash: the script
// finds the options in the array opts and the arguments in "$@", compiles
// into /tmp and execs the program, so compiler messages go to stderr and
// the run's status is the program's (or the compiler's when it fails).
type how struct {
	// file is the code's name in the work directory.
	file   string
	argv   []string
	script string
	// shell is the argv of the language's interactive shell ("$options"
	// replaced), for Request.Shell; nil when it has none.
	shell []string
	env   []string
	// need is a file whose absence means the toolchain is not installed.
	need string
	// probe prints the version; version picks it from the output.
	probe   []string
	version func(out string) string
	// binds are extra mounts (a warm build cache).
	binds []sandbox.Bind
	// flags returns options the runner adds before the caller's, chosen
	// by the toolchain's version (gcc 14's stricter C defaults).
	flags func(version string) []string
}

// Placeholders in how.argv.
const (
	phOptions   = "$options"
	phArguments = "$arguments"
	phCode      = "$code"
	phMaxRAM    = "$maxram"
)

// scriptPrelude turns "n opts... args..." into the array opts and "$@".
const scriptPrelude = `set -e; n=$1; shift; opts=("${@:1:$n}"); shift "$n"; set +e` + "\n"

// field returns a function picking the i-th whitespace-separated field of
// the first line that has at least i+1 fields, trimming prefix and
// suffix characters in cut.
func field(i int, cut string) func(string) string {
	return func(out string) string {
		for line := range strings.SplitSeq(out, "\n") {
			if f := strings.Fields(line); len(f) > i {
				return strings.Trim(f[i], cut)
			}
		}
		return ""
	}
}

// gccFlags keeps programs written for older compilers (implicit int,
// implicit declarations) compiling: GCC 14 made those errors, and its
// -fpermissive turns them back into warnings. Older GCCs need nothing
// (and warn about -fpermissive in C).
func gccFlags(version string) []string {
	major, _ := strconv.Atoi(strings.SplitN(version, ".", 2)[0])
	if major >= 14 {
		return []string{"-fpermissive"}
	}
	return nil
}

const hello = "Hello, World!\n"

// GoCache is where a warm Go build cache is looked for (see Options).
const GoCache = "/var/cache/pid1/go-build"

// builtin lists the languages. Ids, names and URLs follow ATO's
// languages.json; Image names the Debian packages providing the
// toolchain.
func builtin(o Options) []*Runner {
	return []*Runner{
		{
			ID: "python", Name: "Python", URL: "https://www.python.org", Image: "debian:python3", SEClass: "python",
			HelloWorld: Example{`print("Hello, World!")`, hello},
			how: how{file: "code.py", argv: []string{"/usr/bin/python3", phOptions, phCode, phArguments},
				need: "/usr/bin/python3", probe: []string{"/usr/bin/python3", "--version"}, version: field(1, "")},
		},
		{
			ID: "c_gcc", Name: "C (GCC)", URL: "https://gcc.gnu.org", Image: "debian:gcc", SEClass: "c",
			HelloWorld: Example{"#include <stdio.h>\nint main(void) { puts(\"Hello, World!\"); }\n", hello},
			how: how{file: "code.c", script: `gcc "${flags[@]}" "${opts[@]}" code.c -o /tmp/program -lm && exec /tmp/program "$@"`,
				need: "/usr/bin/gcc", probe: []string{"/usr/bin/gcc", "-dumpfullversion"}, version: field(0, ""), flags: gccFlags},
		},
		{
			ID: "cpp_gcc", Name: "C++ (GCC)", URL: "https://gcc.gnu.org", Image: "debian:g++", SEClass: "cpp",
			HelloWorld: Example{"#include <iostream>\nint main() { std::cout << \"Hello, World!\\n\"; }\n", hello},
			how: how{file: "code.cpp", script: `g++ "${opts[@]}" code.cpp -o /tmp/program && exec /tmp/program "$@"`,
				need: "/usr/bin/g++", probe: []string{"/usr/bin/g++", "-dumpfullversion"}, version: field(0, "")},
		},
		{
			ID: "go", Name: "Go", URL: "https://go.dev", Image: "golang", SEClass: "go",
			HelloWorld: Example{"package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"Hello, World!\") }\n", hello},
			how: how{file: "code.go",
				script: `go build -o /tmp/program "${opts[@]}" code.go && exec /tmp/program "$@"`,
				env: []string{"PATH=/usr/local/go/bin:" + sandbox.DefaultPath, "GOCACHE=" + GoCache, "GOPATH=/tmp/go",
					"GOTOOLCHAIN=local", "GOFLAGS=", "CGO_ENABLED=0", "GOENV=off", "GOTELEMETRY=off"},
				need: o.GoRoot + "/bin/go", probe: []string{o.GoRoot + "/bin/go", "version"}, version: field(2, "go"),
				binds: goBinds(o)},
		},
		{
			ID: "javascript_node", Name: "JavaScript (Node.js)", URL: "https://nodejs.org", Image: "debian:nodejs", SEClass: "javascript",
			HelloWorld: Example{`console.log("Hello, World!");`, hello},
			how: how{file: "code.js", argv: []string{"/usr/bin/node", phOptions, phCode, phArguments},
				need: "/usr/bin/node", probe: []string{"/usr/bin/node", "--version"}, version: field(0, "v")},
		},
		{
			ID: "bash", Name: "Bash", URL: "https://www.gnu.org/software/bash/", Image: "debian:bash", SEClass: "bash",
			HelloWorld: Example{`echo "Hello, World!"`, hello},
			how: how{file: "code.sh", argv: []string{"/bin/bash", phOptions, phCode, phArguments},
				need: "/bin/bash", probe: []string{"/bin/bash", "-c", "echo $BASH_VERSION"}, version: field(0, "")},
		},
		{
			ID: "zsh", Name: "Zsh", URL: "https://www.zsh.org", Image: "debian:zsh", SEClass: "bash",
			HelloWorld: Example{`echo "Hello, World!"`, hello},
			how: how{file: "code.zsh", argv: []string{"/usr/bin/zsh", phOptions, phCode, phArguments},
				need: "/usr/bin/zsh", probe: []string{"/usr/bin/zsh", "--version"}, version: field(1, "")},
		},
		{
			ID: "perl", Name: "Perl", URL: "https://www.perl.org", Image: "debian:perl", SEClass: "perl",
			HelloWorld: Example{`print "Hello, World!\n";`, hello},
			how: how{file: "code.pl", argv: []string{"/usr/bin/perl", phOptions, phCode, phArguments},
				need: "/usr/bin/perl", probe: []string{"/usr/bin/perl", "-e", "print $^V"}, version: field(0, "v")},
		},
		{
			ID: "ruby", Name: "Ruby", URL: "https://www.ruby-lang.org", Image: "debian:ruby", SEClass: "ruby",
			HelloWorld: Example{`puts "Hello, World!"`, hello},
			how: how{file: "code.rb", argv: []string{"/usr/bin/ruby", phOptions, phCode, phArguments},
				need: "/usr/bin/ruby", probe: []string{"/usr/bin/ruby", "--version"}, version: field(1, "")},
		},
		{
			ID: "lua", Name: "Lua", URL: "https://www.lua.org", Image: "debian:lua5.4", SEClass: "lua",
			HelloWorld: Example{`print("Hello, World!")`, hello},
			how: how{file: "code.lua", argv: []string{"/usr/bin/lua5.4", phOptions, phCode, phArguments},
				need: "/usr/bin/lua5.4", probe: []string{"/usr/bin/lua5.4", "-v"}, version: field(1, "")},
		},
		{
			ID: "php", Name: "PHP", URL: "https://www.php.net", Image: "debian:php-cli", SEClass: "php",
			HelloWorld: Example{"<?php\necho \"Hello, World!\\n\";\n", hello},
			how: how{file: "code.php", argv: []string{"/usr/bin/php", phOptions, phCode, phArguments},
				need: "/usr/bin/php", probe: []string{"/usr/bin/php", "--version"}, version: field(1, "")},
		},
		{
			ID: "rust", Name: "Rust", URL: "https://www.rust-lang.org", Image: "debian:rustc", SEClass: "rust",
			HelloWorld: Example{"fn main() {\n    println!(\"Hello, World!\");\n}\n", hello},
			how: how{file: "code.rs", script: `rustc "${opts[@]}" -o /tmp/program code.rs && exec /tmp/program "$@"`,
				need: "/usr/bin/rustc", probe: []string{"/usr/bin/rustc", "--version"}, version: field(1, "")},
		},
		{
			ID: "java_openjdk", Name: "Java (OpenJDK)", URL: "https://openjdk.org", Image: "debian:default-jdk-headless", SEClass: "java",
			HelloWorld: Example{"public class Main {\n    public static void main(String[] args) {\n        System.out.println(\"Hello, World!\");\n    }\n}\n", hello},
			// The JVM sizes its heap from the memory it sees, which is the
			// host's: MaxRAM tells it the run's limit instead.
			how: how{file: "code.java", argv: []string{"/usr/bin/java", "-XX:MaxRAM=" + phMaxRAM, "-XX:+UseSerialGC", phOptions, phCode, phArguments},
				need: "/usr/bin/java", probe: []string{"/usr/bin/java", "-XshowSettings:properties", "-version"}, version: javaVersion},
		},
		{
			ID: "asymptote", Name: "Asymptote", URL: "https://asymptote.sourceforge.io", Image: "debian:asymptote", SEClass: "",
			HelloWorld: Example{`write("Hello, World!");`, hello},
			// Safe mode, no reads outside the work directory, no OpenGL;
			// a picture goes to out.svg. (-q would silence write().) LaTeX
			// needs the formats Debian builds into /var/lib/texmf.
			// The shell is quiet (-q): no welcome banner. asy's output is
			// line-buffered (stdbuf: it writes through stdio), so it
			// streams, and a program stopped at its time limit has
			// written what it wrote.
			how: how{file: "code.asy", argv: []string{"/usr/bin/stdbuf", "-oL", "/usr/bin/asy", "-noV", "-safe", "-noglobalread", "-render", "0", "-f", "svg", "-o", "out", phOptions, phCode, phArguments},
				shell: []string{"/usr/bin/stdbuf", "-oL", "/usr/bin/asy", "-noV", "-safe", "-noglobalread", "-q", "-render", "0", "-f", "svg", "-o", "out", phOptions},
				binds: existing(sandbox.Bind{Source: "/var/lib/texmf", Target: "/var/lib/texmf"}),
				env:   []string{"TEXMFVAR=/tmp/texmf-var", "ASYMPTOTE_HOME=/tmp/.asy"},
				need:  "/usr/bin/asy", probe: []string{"/usr/bin/asy", "--version"}, version: field(2, "")},
		},
	}
}

// javaVersion reads java.version from -XshowSettings output.
func javaVersion(out string) string {
	for line := range strings.SplitSeq(out, "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), " = "); ok && k == "java.version" {
			return v
		}
	}
	return ""
}

// existing keeps the binds whose source exists here.
func existing(bs ...sandbox.Bind) []sandbox.Bind {
	var out []sandbox.Bind
	for _, b := range bs {
		if _, err := os.Stat(b.Source); err == nil {
			out = append(out, b)
		}
	}
	return out
}

// goBinds mounts the warm build cache (when there is one) as an overlay,
// so that runs start from it without being able to change it for others.
func goBinds(o Options) []sandbox.Bind {
	if o.GoCache == "" {
		return nil
	}
	return []sandbox.Bind{{Source: o.GoCache, Target: GoCache, Overlay: true}}
}
