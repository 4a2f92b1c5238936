package fsroot_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pid1/pid1/test/kit/testutil"

	"golang.org/x/sys/unix"

	"github.com/pid1/pid1/internal/fsroot"
)

// stageNames lists what is left of stages in the workspace.
func stageNames(t *testing.T, ws string) []string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(ws, ".~pid1-stage-*"))
	return m
}

// build fills a stage with a small tree.
func build(t *testing.T, st *fsroot.Stage) {
	t.Helper()
	for _, p := range []string{"src", "src/pkg", "ro"} {
		if err := st.Mkdir(p); err != nil {
			t.Fatal(err)
		}
	}
	for p, content := range map[string]string{"main.go": "package main", "src/pkg/a.go": "package pkg", "ro/readme": "read me"} {
		f, err := st.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString(content)
		f.Chmod(0o640)
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Symlink("/etc/hostname", "abs-link"); err != nil {
		t.Fatal(err)
	}
	if err := st.ChmodDir("ro", 0o555); err != nil {
		t.Fatal(err)
	}
}

func TestStageCommitReplacesEverythingButTemporaryFiles(t *testing.T) {
	ws, want := t.TempDir(), t.TempDir()
	write(t, ws, "old.txt", "old")
	write(t, ws, "src/old.go", "old")
	write(t, ws, ".~pid1-0001.tmp", "someone's write in progress")
	d := openDir(t, ws)
	st, err := d.NewStage()
	if err != nil {
		t.Fatal(err)
	}
	build(t, st)
	if got := testutil.Tree(t, filepath.Join(ws, "src")); !strings.Contains(got, "old.go") {
		t.Fatalf("building the stage changed the workspace:\n%s", got)
	}
	if err := st.Commit(); err != nil {
		t.Fatal(err)
	}
	// What the stage built, and the temporary file left where it was.
	write(t, want, "main.go", "package main")
	write(t, want, "src/pkg/a.go", "package pkg")
	write(t, want, "ro/readme", "read me")
	write(t, want, ".~pid1-0001.tmp", "someone's write in progress")
	for _, p := range []string{"main.go", "src/pkg/a.go", "ro/readme"} {
		os.Chmod(filepath.Join(want, p), 0o640)
	}
	os.Chmod(filepath.Join(want, "src"), 0o700)
	os.Chmod(filepath.Join(want, "src/pkg"), 0o700)
	os.Chmod(filepath.Join(want, "ro"), 0o555)
	os.Symlink("/etc/hostname", filepath.Join(want, "abs-link"))
	if got, w := testutil.Tree(t, ws), testutil.Tree(t, want); got != w {
		t.Fatalf("after commit:\n%s\nwant:\n%s", got, w)
	}
	if left := stageNames(t, ws); len(left) != 0 {
		t.Fatalf("left behind: %v", left)
	}
	st.Abort() // after Commit: nothing
	if err := st.Commit(); err == nil {
		t.Fatal("a second Commit succeeded")
	}
}

func TestStageAbortLeavesTheWorkspace(t *testing.T) {
	ws := t.TempDir()
	write(t, ws, "mine.txt", "mine")
	before := testutil.Tree(t, ws)
	d := openDir(t, ws)
	st, err := d.NewStage()
	if err != nil {
		t.Fatal(err)
	}
	build(t, st)
	st.Abort()
	if got := testutil.Tree(t, ws); got != before {
		t.Fatalf("after abort:\n%s\nwant:\n%s", got, before)
	}
}

// Entries of a stage are created without following links: a link the
// stage holds cannot carry a later entry out of it.
func TestStageFollowsNoLink(t *testing.T) {
	ws, outside := t.TempDir(), t.TempDir()
	d := openDir(t, ws)
	st, err := d.NewStage()
	if err != nil {
		t.Fatal(err)
	}
	defer st.Abort()
	if err := st.Symlink(outside, "out"); err != nil {
		t.Fatal(err)
	}
	if err := st.Symlink("../../..", "up"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"out/x", "up/x", "out"} {
		if err := st.Mkdir(p); err == nil {
			t.Errorf("Mkdir(%q) succeeded", p)
		}
		if f, err := st.Create(p); err == nil {
			f.Close()
			t.Errorf("Create(%q) succeeded", p)
		}
		if err := st.Symlink("x", p); err == nil {
			t.Errorf("Symlink(%q) succeeded", p)
		}
	}
	if err := st.ChmodDir("out", 0o777); err == nil {
		t.Error("ChmodDir through a link succeeded")
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 0 {
		t.Fatalf("written outside: %v", ents)
	}
	if fi, _ := os.Stat(outside); fi.Mode().Perm() == 0o777 {
		t.Fatal("chmod went through the link")
	}
}

// inMountNamespace runs f on a thread of its own in a private mount
// namespace, where it may bind-mount without touching the machine's.
func inMountNamespace(t *testing.T, f func()) {
	t.Helper()
	done := make(chan struct{})
	skip := ""
	go func() {
		defer close(done)
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
			skip = fmt.Sprintf("cannot make a mount namespace here: %v", err)
			return
		}
		if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
			skip = fmt.Sprintf("cannot make mounts private: %v", err)
			return
		}
		f()
	}()
	<-done
	if skip != "" {
		t.Skip(skip)
	}
}

// A swap that fails midway is undone: a top-level name that cannot be
// renamed (a mount point gives EBUSY) while the old names move out, and a
// staged name that cannot be moved in.
func TestStageCommitFailureIsUndone(t *testing.T) {
	for _, phase := range []string{"moving the old names out", "moving the new names in"} {
		t.Run(phase, func(t *testing.T) {
			ws, elsewhere := t.TempDir(), t.TempDir()
			for i := range 20 {
				write(t, ws, fmt.Sprintf("file%02d", i), fmt.Sprint(i))
			}
			os.Mkdir(filepath.Join(ws, "mnt"), 0o755)
			before := testutil.Tree(t, ws)
			d := openDir(t, ws)
			st, err := d.NewStage()
			if err != nil {
				t.Fatal(err)
			}
			defer st.Abort()
			build(t, st)
			if err := st.Mkdir("stuck"); err != nil {
				t.Fatal(err)
			}
			target := filepath.Join(ws, "mnt")
			if phase == "moving the new names in" {
				target = filepath.Join(stageNames(t, ws)[0], "new", "stuck")
			}
			var commitErr error
			inMountNamespace(t, func() {
				if err := unix.Mount(elsewhere, target, "", unix.MS_BIND, ""); err != nil {
					t.Errorf("bind mount: %v", err)
					return
				}
				commitErr = st.Commit()
				unix.Unmount(target, unix.MNT_DETACH)
			})
			if commitErr == nil || !strings.Contains(commitErr.Error(), "device or resource busy") {
				t.Fatalf("Commit: %v, want EBUSY", commitErr)
			}
			// The stage may remain (its busy entry could not be removed while
			// mounted); it is a temporary name, and the next start removes it.
			if _, err := d.RemoveStale(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := testutil.Tree(t, ws); got != before {
				t.Fatalf("after a failed commit:\n%s\nwant:\n%s", got, before)
			}
		})
	}
}

// The states a swap can be killed in, laid out on disk as Commit leaves
// them: RemoveStale undoes a swap whose old names were still moving out,
// and finishes one whose new names were moving in.
func TestRemoveStaleSortsOutAnInterruptedSwap(t *testing.T) {
	t.Run("killed while the old names moved out", func(t *testing.T) {
		ws := t.TempDir()
		write(t, ws, "a.txt", "a")
		write(t, ws, "b/c.txt", "c")
		write(t, ws, "d.txt", "d")
		before := testutil.Tree(t, ws)
		stage := filepath.Join(ws, ".~pid1-stage-0badc0ffee.tmp")
		write(t, stage, "new/a.txt", "new a")
		write(t, stage, "new/n.txt", "new n")
		os.MkdirAll(filepath.Join(stage, "old"), 0o700)
		os.Rename(filepath.Join(ws, "a.txt"), filepath.Join(stage, "old", "a.txt"))
		os.Rename(filepath.Join(ws, "b"), filepath.Join(stage, "old", "b"))
		c, err := openDir(t, ws).RemoveStale(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if c.RolledBack != 1 || c.Finished != 0 {
			t.Fatalf("cleanup: %+v", c)
		}
		if got := testutil.Tree(t, ws); got != before {
			t.Fatalf("after recovery:\n%s\nwant:\n%s", got, before)
		}
	})
	t.Run("killed while the new names moved in", func(t *testing.T) {
		ws, want := t.TempDir(), t.TempDir()
		write(t, want, "a.txt", "new a")
		write(t, want, "n/m.txt", "new m")
		write(t, want, "z.txt", "new z")
		stage := filepath.Join(ws, ".~pid1-stage-0badc0ffee.tmp")
		write(t, stage, "old/a.txt", "old a")
		write(t, stage, "old/old.txt", "old")
		os.MkdirAll(filepath.Join(stage, "swapping"), 0o700)
		write(t, ws, "a.txt", "new a") // moved in before the kill
		write(t, stage, "new/n/m.txt", "new m")
		write(t, stage, "new/z.txt", "new z")
		c, err := openDir(t, ws).RemoveStale(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if c.Finished != 1 || c.RolledBack != 0 {
			t.Fatalf("cleanup: %+v", c)
		}
		if got, w := testutil.Tree(t, ws), testutil.Tree(t, want); got != w {
			t.Fatalf("after recovery:\n%s\nwant:\n%s", got, w)
		}
	})
	t.Run("killed while building", func(t *testing.T) {
		ws := t.TempDir()
		write(t, ws, "a.txt", "a")
		before := testutil.Tree(t, ws)
		write(t, ws, ".~pid1-stage-0badc0ffee.tmp/new/half.txt", "half")
		c, err := openDir(t, ws).RemoveStale(context.Background())
		if err != nil || c.Finished+c.RolledBack != 0 || c.Removed != 1 {
			t.Fatalf("cleanup: %+v %v", c, err)
		}
		if got := testutil.Tree(t, ws); got != before {
			t.Fatalf("after recovery:\n%s\nwant:\n%s", got, before)
		}
	})
}

// crashChildEnv makes this test binary the process that is killed during
// a Commit (see TestSwapSurvivesSIGKILL).
const crashChildEnv = "PID1_FSROOT_CRASH_WORKSPACE"

func TestCrashChild(t *testing.T) {
	ws := os.Getenv(crashChildEnv)
	if ws == "" {
		t.Skip("the child of TestSwapSurvivesSIGKILL")
	}
	d, err := fsroot.Open(ws)
	if err != nil {
		t.Fatal(err)
	}
	st, err := d.NewStage()
	if err != nil {
		t.Fatal(err)
	}
	for i := range crashNames {
		f, err := st.Create(fmt.Sprintf("new%04d", i))
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	fmt.Println("ready")
	os.Stdout.Sync()
	st.Commit()
	fmt.Println("committed")
	time.Sleep(time.Hour) // killed
}

const crashNames = 1000

// Commit killed at any moment leaves a workspace that RemoveStale turns
// into exactly the old tree or exactly the new one.
func TestSwapSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a child process ten times")
	}
	outcomes := map[string]int{}
	for i := range 10 {
		ws := t.TempDir()
		for j := range crashNames {
			write(t, ws, fmt.Sprintf("old%04d", j), "")
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.v")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+ws)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		for sc.Scan() && sc.Text() != "ready" {
		}
		// Wait for the swap to begin (old/ appears after the syncfs), then
		// kill at a different moment of it each time.
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
			if m, _ := filepath.Glob(filepath.Join(ws, ".~pid1-stage-*", "old")); len(m) > 0 {
				break
			}
		}
		time.Sleep(time.Duration(i) * 25 * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		c, err := openDir(t, ws).RemoveStale(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		names, _ := os.ReadDir(ws)
		old, fresh := 0, 0
		for _, n := range names {
			switch {
			case strings.HasPrefix(n.Name(), "old"):
				old++
			case strings.HasPrefix(n.Name(), "new"):
				fresh++
			default:
				t.Errorf("left behind: %s", n.Name())
			}
		}
		switch {
		case old == crashNames && fresh == 0:
			outcomes[fmt.Sprintf("old tree (undone %d)", c.RolledBack)]++
		case fresh == crashNames && old == 0:
			outcomes[fmt.Sprintf("new tree (finished %d)", c.Finished)]++
		default:
			t.Fatalf("kill %d: %d old and %d new names after recovery (%+v)", i, old, fresh, c)
		}
	}
	t.Logf("outcomes of 10 kills: %v", outcomes)
}
