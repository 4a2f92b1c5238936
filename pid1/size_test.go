package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestSizeFlag(t *testing.T) {
	for in, want := range map[string]int64{"16MiB": 16 << 20, "16777216": 16 << 20, "512KiB": 512 << 10,
		"1GiB": 1 << 30, "2mb": 2 << 20, "3 MiB": 3 << 20, "10K": 10 << 10, "7b": 7} {
		var s size
		if err := s.Set(in); err != nil || int64(s) != want {
			t.Errorf("%q: %d %v, want %d", in, s, err, want)
		}
	}
	for _, bad := range []string{"", "MiB", "-1", "1.5MiB", "16XB", "99999999999GiB"} {
		var s size
		if err := s.Set(bad); err == nil {
			t.Errorf("%q was accepted as %d", bad, s)
		}
	}
	s := size(16 << 20)
	if s.String() != "16MiB" {
		t.Errorf("String() = %q", s.String())
	}
}

// pid1 -help says how pid1 is used (its subcommands and the startup
// command after --) and exits 0.
func TestHelp(t *testing.T) {
	out, err := exec.Command(pid1Binary(t), "-help").CombinedOutput()
	if err != nil {
		t.Fatalf("pid1 -help: %v\n%s", err, out)
	}
	for _, want := range []string{"pid1 [flags] [-- CMD ARGS...]", "pid1 token", "pid1 keygen", "-max-frame-bytes", "PID1_<FLAG>"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("pid1 -help does not mention %q:\n%s", want, out)
		}
	}
}

// pid1 health asks the pid1 on -listen (or PID1_LISTEN) for /healthz.
func TestHealthSubcommand(t *testing.T) {
	t.Parallel()
	p := startProcess(t)
	cmd := exec.Command(pid1Binary(t), "health")
	cmd.Env = append(os.Environ(), "PID1_LISTEN="+p.addr)
	if out, err := cmd.CombinedOutput(); err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("pid1 health against a live pid1: %v %q", err, out)
	}
	if out, err := exec.Command(pid1Binary(t), "health", "-listen", freeAddr(t)).CombinedOutput(); err == nil {
		t.Fatalf("pid1 health with nothing listening succeeded: %q", out)
	}
}
