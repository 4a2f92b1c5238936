package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pid1/pid1/api"
)

// As root with -run-as, pid1 runs its users' programs as that user, with
// a clean environment: a writer's program cannot read pid1's signing key,
// environment or memory, cannot signal pid1, and sees none of pid1's
// variables; what pid1 writes into the workspace belongs to the user.
func TestProgramsRunAsTheWorkspaceUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	const uid = 23456
	base := t.TempDir()
	os.Chmod(base, 0o755) // the user must reach its workspace
	os.Chmod(filepath.Dir(base), 0o755)
	// What pid1's environment holds that its users' programs must not see.
	t.Setenv("AWS_SECRET_ACCESS_KEY", "s3cr3t")
	t.Setenv("PID1_SOMETHING", "internal")
	p := startOn(t, filepath.Join(base, "ws"), filepath.Join(base, "state"), "-run-as", fmt.Sprintf("%d:%d", uid, uid))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := dialAs(t, ctx, p, "ann")
	ex, err := c.Open(ctx, "exec", "", api.OpenChannel_CREATE)
	if err != nil {
		t.Fatal(err)
	}
	pid := p.cmd.Process.Pid
	run := func(script string) string {
		t.Helper()
		r, err := ex.Request(ctx, &api.Command{Body: &api.Command_Exec{Exec: &api.Exec{Args: []string{"sh", "-c", script}}}})
		if err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		for cmd := range ex.Stream() {
			if cmd.GetRef() == r.GetRef() {
				break
			}
			out.WriteString(cmd.GetOutput())
		}
		return out.String() + "|" + r.GetError()
	}
	for _, check := range []struct{ script, want string }{
		{"id -u", fmt.Sprint(uid, "\n|")},
		{"cat " + filepath.Join(p.state, "*") + " >/dev/null 2>&1 && echo READ || echo refused", "refused\n|"},
		{fmt.Sprintf("cat /proc/%d/environ >/dev/null 2>&1 && echo READ || echo refused", pid), "refused\n|"},
		{fmt.Sprintf("head -c 1 /proc/%d/mem >/dev/null 2>&1 && echo READ || echo refused", pid), "refused\n|"},
		{fmt.Sprintf("kill -TERM %d 2>/dev/null && echo KILLED || echo refused", pid), "refused\n|"},
		{"env | grep -c -e AWS_ -e PID1_ || true", "0\n|"},
		{"echo mine > mine.txt && echo wrote", "wrote\n|"},
		{`echo "$REPL_HOME $USER"`, p.workspace + " 23456\n|"},
	} {
		if got := run(check.script); got != check.want {
			t.Errorf("%s: got %q, want %q", check.script, got, check.want)
		}
	}
	fs, err := c.Open(ctx, "files", "", api.OpenChannel_CREATE)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := fs.Request(ctx, &api.Command{Body: &api.Command_Write{Write: &api.File{Path: "dir/from-client.txt", Content: []byte("x")}}}); err != nil || r.GetOk() == nil {
		t.Fatalf("write: %v %v", r, err)
	}
	for _, name := range []string{"dir", "dir/from-client.txt", "mine.txt"} {
		fi, err := os.Stat(filepath.Join(p.workspace, name))
		if err != nil {
			t.Fatal(err)
		}
		if st := fi.Sys().(*syscall.Stat_t); st.Uid != uid {
			t.Errorf("%s is owned by uid %d, want %d", name, st.Uid, uid)
		}
	}
	if resp, err := http.Get("http://" + p.addr + "/healthz"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("pid1 after its users' attempts: %v %v", resp, err)
	}
}

// A workspace its user cannot reach is refused at start, with the reason,
// rather than every program failing with "permission denied".
func TestUnreachableWorkspaceIsRefused(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	base := t.TempDir()
	os.Chmod(base, 0o700)
	out, err := exec.Command(pid1Binary(t), "-listen", freeAddr(t), "-workspace", filepath.Join(base, "ws"),
		"-state-dir", filepath.Join(t.TempDir(), "state"), "-print-url=false", "-metrics-listen=", "-run-as", "23457").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "user 23457 (uid 23457) cannot reach the workspace") {
		t.Fatalf("pid1 with an unreachable workspace: %v\n%s", err, out)
	}
}
