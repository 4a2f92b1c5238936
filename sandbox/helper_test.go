//go:build linux

package sandbox

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/pid1/pid1/sandbox/nsinit"
)

// The helper pid1 ships is C (cmd/pid1-sandbox-helper's C files built as
// a program of their own; go build with cgo gives the same C with the Go
// runtime linked in, unused): it says so in its reports, after which runs
// start it without a user namespace (vfork) and it makes the program's.
// The Go helper (the test binary itself) never does.
func TestHelperKinds(t *testing.T) {
	small := smallHelper(t)
	if small == "/proc/self/exe" {
		t.Skip("the helper binary could not be built")
	}
	withCgo := filepath.Join(t.TempDir(), HelperName)
	build := exec.Command("go", "build", "-o", withCgo, HelperPackage)
	build.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build with cgo: %v\n%s", err, out)
	}
	for _, c := range []struct {
		helper string
		native bool
	}{{small, true}, {withCgo, true}, {"/proc/self/exe", false}} {
		s := newTestSandbox(t, Config{HelperPath: c.helper, MaxRuns: 1})
		// The program can neither end nor read its init.
		o := sh(t, s, "kill -KILL 1; kill -TERM 1; cat /proc/1/environ; echo alive; cat /proc/self/uid_map")
		expect(t, o, Exited, 0)
		if !strings.Contains(o.stdout, "alive\n") || !strings.Contains(o.stdout, " 1\n") || strings.Contains(o.stdout, nsinit.EnvMarker) {
			t.Errorf("%s: %q %q", c.helper, o.stdout, o.stderr)
		}
		if s.native.Load() != c.native {
			t.Errorf("%s: native = %v, want %v", c.helper, s.native.Load(), c.native)
		}
	}
}

// helperReport runs the helper binary alone on a request and returns its
// report.
func helperReport(t *testing.T, helper string, req []byte) *nsinit.Report {
	t.Helper()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	ours, theirs := os.NewFile(uintptr(fds[0]), "ctl"), os.NewFile(uintptr(fds[1]), "ctl-child")
	defer ours.Close()
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	cmd := exec.Command(helper)
	cmd.Env = helperEnv
	cmd.ExtraFiles = []*os.File{theirs, devnull, devnull}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	theirs.Close()
	defer cmd.Wait()
	if err := nsinit.WriteMessage(ours, req); err != nil {
		t.Fatal(err)
	}
	msg, err := nsinit.ReadMessage(ours)
	if err != nil {
		t.Fatalf("no report: %v", err)
	}
	rep, err := nsinit.UnmarshalReport(msg)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// A request the helper cannot read gets a report saying why, from both
// helpers, before anything is set up.
func TestHelperRefusesBadRequests(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the sandbox tests run as root (as CI does)")
	}
	good := (&nsinit.Request{Argv: []string{"true"}}).Marshal()
	otherVersion := append([]byte{99, 0, 0, 0, 0, 0, 0, 0}, good[8:]...)
	for _, helper := range []string{smallHelper(t), "/proc/self/exe"} {
		for _, c := range []struct {
			name string
			req  []byte
			want string
		}{
			{"other version", otherVersion, "protocol version 99"},
			{"truncated", good[:len(good)-3], "truncated"},
			{"trailing bytes", append(append([]byte{}, good...), 0), "trailing bytes"},
			{"empty", nil, "truncated"},
		} {
			rep := helperReport(t, helper, c.req)
			if !strings.Contains(rep.Err, c.want) {
				t.Errorf("%s, %s: report error %q, want %q", helper, c.name, rep.Err, c.want)
			}
		}
	}
}
