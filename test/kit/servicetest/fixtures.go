package servicetest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/internal/fsroot"
	"github.com/pid1/pid1/internal/jobs"
	"github.com/pid1/pid1/internal/reaper"
)

// Reaper starts a private reaper (one that waits for its own children
// only) for the test.
func Reaper(t testing.TB) *reaper.Reaper {
	t.Helper()
	rp := reaper.New(reaper.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	go rp.Run(ctx)
	t.Cleanup(cancel)
	return rp
}

// Workspace creates a temporary workspace holding files (name → content)
// and opens it.
func Workspace(t testing.TB, files map[string]string) *fsroot.Dir {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ws, err := fsroot.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return ws
}

// Until reads ch's stream until what it shows contains want, and returns
// that: output as it is, states as <Running> and <Stopped>, errors as
// <error TEXT>. It fails the test after 20 s, quoting the end of what it
// saw.
func Until(t testing.TB, ch *client.Channel, want string) string {
	t.Helper()
	return Watch(t, ch, want, 20*time.Second, StateAndErrorMarks)
}

// StateAndErrorMarks is how Until shows what is not output: states as
// <Running> and <Stopped>, errors as <error TEXT>.
func StateAndErrorMarks(c *api.Command) string {
	switch b := c.Body.(type) {
	case *api.Command_State:
		return "<" + b.State.String() + ">"
	case *api.Command_Error:
		return "<error " + b.Error + ">"
	}
	return ""
}

// Watch is Until with its own time bound and marks: each command shows as
// its output followed by marks(command).
func Watch(t testing.TB, ch *client.Channel, want string, d time.Duration, marks func(*api.Command) string) string {
	t.Helper()
	var seen strings.Builder
	tail := func() string { s := seen.String(); return s[max(0, len(s)-300):] }
	deadline := time.After(d)
	for {
		select {
		case c, ok := <-ch.Stream():
			if !ok {
				t.Fatalf("the stream ended before %q; it ended with %q", want, tail())
			}
			// Only the new text (and what a match may straddle) is
			// searched: a flood would make the whole-text search quadratic.
			from := max(0, seen.Len()-len(want)+1)
			seen.WriteString(c.GetOutput())
			seen.WriteString(marks(c))
			if strings.Contains(seen.String()[from:], want) {
				return seen.String()
			}
		case <-deadline:
			t.Fatalf("no %q within %v; the stream ended with %q", want, d, tail())
		}
	}
}

// Input types s into ch's terminal.
func Input(t testing.TB, ch *client.Channel, s string) {
	t.Helper()
	if err := ch.Send(context.Background(), &api.Command{Body: &api.Command_Input{Input: s}}); err != nil {
		t.Fatal(err)
	}
}

// Deps is what a service that starts processes needs, for the test: a
// private reaper, a temporary workspace holding files, and pid1's user
// environment with a HOME of the test's own: the machine's start-up files
// are not the test's (root's .bashrc may run pyenv, whose rehash lock a
// killed shell leaves behind for every later bash to wait on).
func Deps(t testing.TB, files map[string]string) jobs.Deps {
	t.Helper()
	env := []string{"HOME=" + t.TempDir()}
	for _, kv := range jobs.BaseEnv(nil, os.Environ()) {
		if !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	return jobs.Deps{Reaper: Reaper(t), Workspace: Workspace(t, files), Env: env}
}
