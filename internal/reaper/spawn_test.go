//go:build linux

package reaper

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestExitStatuses checks the statuses of simple processes, including
// their String and ExitCode forms.
func TestExitStatuses(t *testing.T) {
	r := newTestReaper(t)
	sh := lookPath(t, "sh")
	cases := []struct {
		name     string
		argv     []string
		want     Status
		wantStr  string
		wantCode int
	}{
		{"exit7", []string{sh, "-c", "exit 7"}, Status{Code: 7}, "exit status 7", 7},
		{"true", []string{lookPath(t, "true")}, Status{Code: 0}, "exit status 0", 0},
		{"false", []string{lookPath(t, "false")}, Status{Code: 1}, "exit status 1", 1},
		{"exit255", []string{sh, "-c", "exit 255"}, Status{Code: 255}, "exit status 255", 255},
		{"selfterm", []string{sh, "-c", "kill -TERM $$"}, Status{Code: -1, Signal: syscall.SIGTERM}, "signal: terminated", 143},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := r.Spawn(Spec{Path: c.argv[0], Args: c.argv})
			if err != nil {
				t.Fatal(err)
			}
			st, err := p.Wait(waitCtx(t))
			if err != nil {
				t.Fatal(err)
			}
			if st.Code != c.want.Code || st.Signal != c.want.Signal {
				t.Errorf("status = %+v, want code %d signal %v", st, c.want.Code, c.want.Signal)
			}
			if st.String() != c.wantStr || st.ExitCode() != c.wantCode {
				t.Errorf("String/ExitCode = %q/%d, want %q/%d", st, st.ExitCode(), c.wantStr, c.wantCode)
			}
		})
	}
}

// TestKilled: a process killed with SIGKILL reports the signal, and
// Signal after collection refuses to touch a possibly reused pid.
func TestKilled(t *testing.T) {
	r := newTestReaper(t)
	sleep := lookPath(t, "sleep")
	p, err := r.Spawn(Spec{Path: sleep, Args: []string{"sleep", "100"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	st, err := p.Wait(waitCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if st.Signal != syscall.SIGKILL || st.Code != -1 || st.ExitCode() != 137 || st.String() != "signal: killed" {
		t.Errorf("status = %+v (%q, %d)", st, st, st.ExitCode())
	}
	if err := p.Signal(syscall.SIGTERM); !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("Signal after exit = %v, want os.ErrProcessDone", err)
	}
	if err := p.SignalGroup(syscall.SIGTERM); !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("SignalGroup after exit = %v, want os.ErrProcessDone", err)
	}
	if n := len(r.Live()); n != 0 {
		t.Errorf("Live() has %d processes after exit", n)
	}
}

// TestConcurrentWithOSExec spawns 500 short processes from many goroutines
// while the same test runs processes with plain os/exec. Every Spawn gets
// its own exit code, and os/exec never sees "no child processes": the
// own-pids mode does not steal statuses.
func TestConcurrentWithOSExec(t *testing.T) {
	r := newTestReaper(t)
	sh := lookPath(t, "sh")

	// A long os/exec child alive during the whole run, and short ones
	// started and waited for in a loop.
	long := exec.Command(sh, "-c", "sleep 0.5; exit 42")
	if err := long.Start(); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var execWG sync.WaitGroup
	var execRuns int
	execWG.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			err := exec.Command(sh, "-c", "exit 3").Run()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 3 {
				t.Errorf("os/exec child: err = %v, want exit status 3", err)
				return
			}
			execRuns++
		}
	})

	const n = 500
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			code := i % 256
			p, err := r.Spawn(Spec{Path: sh, Args: []string{"sh", "-c", "exit " + strconv.Itoa(code)}})
			if err != nil {
				t.Error(err)
				return
			}
			st, err := p.Wait(waitCtx(t))
			if err != nil || st.Code != code || st.Signal != 0 {
				t.Errorf("process %d: status %+v err %v, want exit %d", i, st, err, code)
			}
		})
	}
	wg.Wait()
	close(stop)
	execWG.Wait()
	err := long.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 42 {
		t.Errorf("long os/exec child: err = %v, want exit status 42", err)
	}
	if execRuns == 0 {
		t.Error("the os/exec loop never ran")
	}
	if n := len(r.Live()); n != 0 {
		t.Errorf("Live() = %d after all waits", n)
	}
	if o := r.Orphans(); o != 0 {
		t.Errorf("own-pids mode counted %d orphans", o)
	}
	t.Logf("%d spawns, %d concurrent os/exec runs", n, execRuns)
}

// TestInstantExit: processes that exit before Spawn returns still report
// their status (the registration/wait lock contract), even with the loop
// spinning as fast as it can.
func TestInstantExit(t *testing.T) {
	r := newTestReaper(t)
	tr := lookPath(t, "true")
	ctx, cancel := context.WithCancel(context.Background())
	var spin sync.WaitGroup
	spin.Go(func() {
		for ctx.Err() == nil {
			r.reap()
		}
	})
	defer func() { cancel(); spin.Wait() }()
	for range 200 {
		p, err := r.Spawn(Spec{Path: tr})
		if err != nil {
			t.Fatal(err)
		}
		if st, err := p.Wait(waitCtx(t)); err != nil || st.Code != 0 {
			t.Fatalf("status %v err %v", st, err)
		}
	}
}

// TestStatusMatchesOSExec: String and ExitCode agree with os.ProcessState
// for the same programs.
func TestStatusMatchesOSExec(t *testing.T) {
	r := newTestReaper(t)
	sh := lookPath(t, "sh")
	for _, script := range []string{"exit 0", "exit 1", "exit 200", "kill -INT $$", "kill -KILL $$", "kill -SEGV $$"} {
		cmd := exec.Command(sh, "-c", script)
		_ = cmd.Run()
		p, err := r.Spawn(Spec{Path: sh, Args: []string{"sh", "-c", script}})
		if err != nil {
			t.Fatal(err)
		}
		st, err := p.Wait(waitCtx(t))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := st.String(), cmd.ProcessState.String(); got != want {
			t.Errorf("%q: String() = %q, os/exec says %q", script, got, want)
		}
		want := cmd.ProcessState.ExitCode()
		if ws := cmd.ProcessState.Sys().(syscall.WaitStatus); ws.Signaled() {
			want = 128 + int(ws.Signal())
		}
		if st.ExitCode() != want {
			t.Errorf("%q: ExitCode() = %d, want %d", script, st.ExitCode(), want)
		}
		if st.Rusage.Utime.Usec < 0 || st.Rusage.Maxrss <= 0 {
			t.Errorf("%q: implausible rusage %+v", script, st.Rusage)
		}
	}
}

// TestSpawnErrors: bad specs fail in Spawn with an error that names the
// cause.
func TestSpawnErrors(t *testing.T) {
	r := newTestReaper(t)
	dir := t.TempDir()
	script := filepath.Join(dir, "script")
	if err := os.WriteFile(script, []byte("#!/nonexistent/interpreter\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		spec     Spec
		notExist bool
		contains string
	}{
		{"missing", Spec{Path: "/nonexistent/prog"}, true, "fork/exec /nonexistent/prog: no such file or directory"},
		{"bare name", Spec{Path: "true"}, true, "exec.LookPath"},
		{"bad interpreter", Spec{Path: script}, true, "interpreter"},
		{"bad dir", Spec{Path: lookPath(t, "true"), Dir: filepath.Join(dir, "nope")}, true, "nope"},
		{"not executable", Spec{Path: dir}, false, "permission denied"},
		{"empty", Spec{}, false, "empty Path"},
		{"ctty without setsid", Spec{Path: "/bin/sh", Setctty: true}, false, "requires Setsid"},
		{"ctty not a file", Spec{Path: "/bin/sh", Setsid: true, Setctty: true, Ctty: 5}, false, "Ctty 5"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := r.Spawn(c.spec)
			if err == nil {
				t.Fatalf("Spawn succeeded (pid %d)", p.Pid)
			}
			if errors.Is(err, fs.ErrNotExist) != c.notExist {
				t.Errorf("errors.Is(%v, fs.ErrNotExist) = %v", err, !c.notExist)
			}
			if !strings.Contains(err.Error(), c.contains) {
				t.Errorf("error %q does not mention %q", err, c.contains)
			}
		})
	}
	if n := len(r.Live()); n != 0 {
		t.Errorf("failed spawns left %d live processes", n)
	}
}

// TestSpawnFiles: argv, Env, Dir, stdio and ExtraFiles reach the child;
// nil stdio is /dev/null, not a closed fd.
func TestSpawnFiles(t *testing.T) {
	r := newTestReaper(t)
	dir := t.TempDir()
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer outR.Close()
	extraR, extraW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer extraR.Close()
	p, err := r.Spawn(Spec{
		Path:       lookPath(t, "sh"),
		Args:       []string{"sh", "-c", `echo "$0 $FOO $(pwd)"; echo extra >&3; readlink /proc/self/fd/0`, "arg0"},
		Env:        []string{"FOO=bar"},
		Dir:        dir,
		Stdout:     outW,
		ExtraFiles: []*os.File{extraW},
	})
	outW.Close()
	extraW.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(outR)
	extra, _ := io.ReadAll(extraR)
	if st, err := p.Wait(waitCtx(t)); err != nil || st.Code != 0 {
		t.Fatalf("status %v err %v", st, err)
	}
	if want := "arg0 bar " + dir + "\n/dev/null\n"; string(out) != want {
		t.Errorf("stdout = %q, want %q", out, want)
	}
	if string(extra) != "extra\n" {
		t.Errorf("fd 3 got %q", extra)
	}
}

// TestProcessGroups: a child leads its own process group (or session with
// Setsid), so SignalGroup reaches its descendants and never the test.
func TestProcessGroups(t *testing.T) {
	r := newTestReaper(t)
	sh := lookPath(t, "sh")
	dir := t.TempDir()
	for _, setsid := range []bool{false, true} {
		ready := filepath.Join(dir, fmt.Sprintf("ready-%v", setsid))
		p, err := r.Spawn(Spec{
			Path:   sh,
			Args:   []string{"sh", "-c", `sleep 100 & echo $! > ` + ready + `.tmp; mv ` + ready + `.tmp ` + ready + `; wait`},
			Setsid: setsid,
		})
		if err != nil {
			t.Fatal(err)
		}
		if pgid, _ := syscall.Getpgid(p.Pid); pgid != p.Pid {
			t.Errorf("setsid=%v: pgid = %d, want %d", setsid, pgid, p.Pid)
		}
		sid, _, errno := syscall.RawSyscall(syscall.SYS_GETSID, uintptr(p.Pid), 0, 0)
		if errno != 0 {
			t.Fatal(errno)
		}
		if (int(sid) == p.Pid) != setsid {
			t.Errorf("setsid=%v: sid = %d, pid %d", setsid, sid, p.Pid)
		}
		var grandchild int
		poll(t, 10*time.Second, "the background sleep", func() bool {
			b, err := os.ReadFile(ready)
			if err != nil {
				return false
			}
			grandchild, _ = strconv.Atoi(strings.TrimSpace(string(b)))
			return grandchild > 0
		})
		if err := p.SignalGroup(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		st, err := p.Wait(waitCtx(t))
		if err != nil || st.Signal != syscall.SIGTERM {
			t.Errorf("setsid=%v: leader status %v err %v, want signal: terminated", setsid, st, err)
		}
		// The sleep was the shell's child; with the shell gone it is
		// someone else's to collect, but it must not be running.
		poll(t, 10*time.Second, "the grandchild to die", func() bool {
			s := procState(grandchild)
			return s == "" || s == "Z"
		})
	}
}

// TestWaitContext: Wait gives up when its context ends, and a later Wait
// still gets the status; many goroutines can wait at once.
// TestPdeathsig: the signal reaches the child when the spawning thread
// exits, which a goroutine locked to its thread can make happen on demand.
func TestPdeathsig(t *testing.T) {
	r := newTestReaper(t)
	sleep := lookPath(t, "sleep")
	// A locked goroutine that exits takes its thread with it, except the
	// main thread, which the runtime keeps. A goroutine that lands there
	// stays locked (so the next one cannot) until the test ends.
	release := make(chan struct{})
	var holders sync.WaitGroup
	defer func() { close(release); holders.Wait() }()
	for range 3 {
		got := make(chan *Process, 1)
		holders.Go(func() {
			runtime.LockOSThread()
			if unix.Gettid() == os.Getpid() {
				got <- nil
				<-release
				runtime.UnlockOSThread()
				return
			}
			p, err := r.Spawn(Spec{Path: sleep, Args: []string{"sleep", "100"}, Pdeathsig: syscall.SIGUSR1})
			if err != nil {
				t.Error(err)
			}
			got <- p
		})
		p := <-got
		if p == nil {
			continue
		}
		st, err := p.Wait(waitCtx(t))
		if err != nil || st.Signal != syscall.SIGUSR1 {
			t.Errorf("status %v err %v, want signal: user defined signal 1", st, err)
		}
		return
	}
	t.Fatal("no goroutine got a thread other than the main one")
}

func TestWaitContext(t *testing.T) {
	r := newTestReaper(t)
	p, err := r.Spawn(Spec{Path: lookPath(t, "sleep"), Args: []string{"sleep", "100"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := p.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait = %v, want deadline exceeded", err)
	}
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if st, err := p.Wait(waitCtx(t)); err != nil || st.Signal != syscall.SIGKILL {
				t.Errorf("status %v err %v", st, err)
			}
		})
	}
	if err := p.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	select {
	case <-p.Done():
	default:
		t.Error("Done not closed after Wait returned")
	}
}

// TestStolenStatus: if something breaks the contract and collects our
// child itself, Wait reports ErrStatusLost instead of hanging.
func TestStolenStatus(t *testing.T) {
	r := New(Options{})
	p, err := r.Spawn(Spec{Path: lookPath(t, "true")})
	if err != nil {
		t.Fatal(err)
	}
	var ws syscall.WaitStatus
	if _, err := syscall.Wait4(p.Pid, &ws, 0, nil); err != nil {
		t.Fatal(err)
	}
	r.reap()
	if _, err := p.Wait(waitCtx(t)); !errors.Is(err, ErrStatusLost) {
		t.Errorf("Wait = %v, want ErrStatusLost", err)
	}
}
