package jobs

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pid1/pid1/internal/fsroot"
)

// A user's program gets how to find programs, the locale and who it is,
// and nothing else of pid1's environment: not its settings, not cloud
// credentials, not make's variables.
func TestBaseEnvPassesOnlyWhatUserProgramsNeed(t *testing.T) {
	pid1s := []string{"PATH=/opt/bin:/bin", "HOME=/root", "USER=root", "LANG=C.UTF-8", "LC_TIME=de_DE.UTF-8",
		"TZ=UTC", "PID1_LISTEN=0.0.0.0:8283", "AWS_SECRET_ACCESS_KEY=s3cr3t", "GOOGLE_APPLICATION_CREDENTIALS=/k.json",
		"MAKEFLAGS=-j2", "SSH_AUTH_SOCK=/tmp/agent"}
	got := BaseEnv(nil, pid1s)
	want := []string{"PATH=/opt/bin:/bin", "HOME=/root", "USER=root", "LANG=C.UTF-8", "LC_TIME=de_DE.UTF-8", "TZ=UTC"}
	if !slices.Equal(got, want) {
		t.Fatalf("as pid1's own user: %q, want %q", got, want)
	}
	u := &User{UID: 1000, GID: 1000, Name: "runner", Home: "/home/runner", Shell: "/bin/bash"}
	got = BaseEnv(u, pid1s)
	want = []string{"PATH=/opt/bin:/bin", "LANG=C.UTF-8", "LC_TIME=de_DE.UTF-8", "TZ=UTC",
		"HOME=/home/runner", "USER=runner", "LOGNAME=runner", "SHELL=/bin/bash"}
	if !slices.Equal(got, want) {
		t.Fatalf("as runner: %q, want %q", got, want)
	}
	if got := BaseEnv(nil, nil); !slices.Equal(got, []string{"PATH=" + defaultPath}) {
		t.Fatalf("with an empty environment: %q", got)
	}
}

// The workspace's variables and its .replit's [env] lie over the base,
// and what a request sets lies over them.
func TestEnvironLayers(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, ".replit"), []byte("run = \"true\"\n[env]\nGREETING = \"hi\"\nREPL_SLUG = \"renamed\"\n"), 0o644)
	ws, err := fsroot.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	d := Deps{Workspace: ws, Env: []string{"PATH=/bin", "GREETING=base"}, Vars: []string{"REPL_SLUG=ws", "REPL_HOME=" + dir}}
	got := d.Environ("EXTRA=1", "PATH=/x")
	want := []string{"PATH=/x", "GREETING=hi", "REPL_SLUG=renamed", "REPL_HOME=" + dir, "EXTRA=1"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}
