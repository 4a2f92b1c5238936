package proctest

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Proc is one process.
type Proc struct {
	Pid   int
	start string
	Argv  []string
}

// stat is the state and start time of pid's process; ok is false if
// there is none.
func stat(pid int) (state, start string, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", "", false
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 20 {
		return "", "", false
	}
	return f[0], f[19], true // fields 3 and 22 of proc(5)
}

// Of is the running process pid; ok is false if there is none (a zombie
// is none).
func Of(pid int) (p Proc, ok bool) {
	state, start, ok := stat(pid)
	if !ok || state == "Z" {
		return Proc{}, false
	}
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	var argv []string
	for a := range bytes.SplitSeq(bytes.TrimSuffix(b, []byte{0}), []byte{0}) {
		argv = append(argv, string(a))
	}
	return Proc{Pid: pid, start: start, Argv: argv}, true
}

// Find lists the running processes whose argv match.
func Find(match func(argv []string) bool) []Proc {
	ds, _ := filepath.Glob("/proc/[0-9]*")
	var out []Proc
	for _, d := range ds {
		pid, err := strconv.Atoi(filepath.Base(d))
		if err != nil {
			continue
		}
		if p, ok := Of(pid); ok && match(p.Argv) {
			out = append(out, p)
		}
	}
	return out
}

// Alive reports whether p still runs (a zombie does not).
func (p Proc) Alive() bool {
	state, start, ok := stat(p.Pid)
	return ok && state != "Z" && start == p.start
}

// Gone waits until none of ps runs. It fails the test if one still does
// after within, a guard against waiting for ever rather than a speed
// target.
func Gone(t testing.TB, within time.Duration, ps ...Proc) {
	t.Helper()
	guard := time.Now().Add(within)
	for _, p := range ps {
		for p.Alive() {
			if time.Now().After(guard) {
				t.Fatalf("process %d (%q) still runs after %v", p.Pid, p.Argv, within)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}
