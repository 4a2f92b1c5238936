//go:build linux

package sandbox

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fakeEtc is a host /etc with allowed and unlisted entries of each kind.
func fakeEtc(t *testing.T) string {
	t.Helper()
	src := filepath.Join(t.TempDir(), "etc")
	for p, data := range map[string]string{
		"ld.so.cache": "cache", "shadow": "secret", "ssl/certs/ca.pem": "cert", "ssl/private/key": "key",
		"java-17-openjdk/security/java.security": "policy", "passwd": "host users",
	} {
		must(t, os.MkdirAll(filepath.Dir(filepath.Join(src, p)), 0o755))
		must(t, os.WriteFile(filepath.Join(src, p), []byte(data), 0o644))
	}
	must(t, os.Chmod(filepath.Join(src, "java-17-openjdk/security/java.security"), 0o600))
	must(t, os.Symlink("/usr/share/zoneinfo/Etc/UTC", filepath.Join(src, "localtime")))
	must(t, os.Symlink("ca.pem", filepath.Join(src, "ssl/certs/abcd.0")))
	must(t, syscall.Mkfifo(filepath.Join(src, "ssl/certs/fifo"), 0o644))
	return src
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func newTestTree(t *testing.T, src string) *etcTree {
	parent := t.TempDir()
	tr := newEtcTree(parent, []string{"ld.so.cache", "localtime", "ssl/certs", "java-*"},
		etcFiles("box"), func(string, ...any) {})
	tr.source = src
	t.Cleanup(tr.close)
	return tr
}

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The copy holds the allowed entries as the host has them (links kept,
// permission bits kept, anything else left out) and the generated files;
// nothing else.
func TestEtcTreeCopy(t *testing.T) {
	tr := newTestTree(t, fakeEtc(t))
	c, err := tr.acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer tr.release(c)
	if got := read(t, filepath.Join(c.dir, "ld.so.cache")); got != "cache" {
		t.Fatalf("ld.so.cache: %q", got)
	}
	if got := read(t, filepath.Join(c.dir, "ssl/certs/ca.pem")); got != "cert" {
		t.Fatalf("ca.pem: %q", got)
	}
	for link, want := range map[string]string{"localtime": "/usr/share/zoneinfo/Etc/UTC", "ssl/certs/abcd.0": "ca.pem"} {
		if got, err := os.Readlink(filepath.Join(c.dir, link)); err != nil || got != want {
			t.Fatalf("%s -> %q %v, want -> %q", link, got, err, want)
		}
	}
	if st, err := os.Stat(filepath.Join(c.dir, "java-17-openjdk/security/java.security")); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("java.security: %v %v, want mode 0600", st, err)
	}
	if !strings.Contains(read(t, filepath.Join(c.dir, "passwd")), "root:x:0:0") || read(t, filepath.Join(c.dir, "hostname")) != "box\n" {
		t.Fatal("the generated files are not in the copy")
	}
	for _, p := range []string{"shadow", "ssl/private", "ssl/certs/fifo"} {
		if _, err := os.Lstat(filepath.Join(c.dir, p)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is in the copy: %v", p, err)
		}
	}
	if st, _ := os.Stat(c.dir); st.Mode().Perm() != 0o755 {
		t.Fatalf("the copy's directory has mode %v", st.Mode())
	}
}

// A change on the host makes a new copy at the next check; the old one is
// removed once the last run using it ends, and a copy nobody uses at once.
func TestEtcTreeFollowsTheHost(t *testing.T) {
	src := fakeEtc(t)
	tr := newTestTree(t, src)
	tr.checkEvery = 0
	first, err := tr.acquire()
	if err != nil {
		t.Fatal(err)
	}
	same, _ := tr.acquire()
	if same != first {
		t.Fatal("an unchanged host made a new copy")
	}
	tr.release(same)
	must(t, os.WriteFile(filepath.Join(src, "ssl/certs/ca.pem"), []byte("renewed cert"), 0o644))
	must(t, os.Chtimes(filepath.Join(src, "ssl/certs/ca.pem"), time.Now(), time.Now().Add(time.Minute)))
	second, err := tr.acquire()
	if err != nil {
		t.Fatal(err)
	}
	if second == first || read(t, filepath.Join(second.dir, "ssl/certs/ca.pem")) != "renewed cert" {
		t.Fatal("the copy did not follow the host's change")
	}
	if read(t, filepath.Join(first.dir, "ssl/certs/ca.pem")) != "cert" {
		t.Fatal("the copy a run still uses changed under it")
	}
	tr.release(first)
	if _, err := os.Stat(first.dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the old copy is still there after its last run: %v", err)
	}
	tr.release(second)
	must(t, os.WriteFile(filepath.Join(src, "java-18-openjdk"), []byte("new entry"), 0o644)) // a new allowed name
	third, _ := tr.acquire()
	if _, err := os.Stat(filepath.Join(third.dir, "java-18-openjdk")); err != nil {
		t.Fatalf("a new allowed entry is not in the copy: %v", err)
	}
	if _, err := os.Stat(second.dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("an unused old copy was not removed")
	}
	tr.release(third)
}

// Entries too big to copy leave runs on binds, and the copy is not tried
// again until the host changes.
func TestEtcTreeTooBig(t *testing.T) {
	src := fakeEtc(t)
	tr := newTestTree(t, src)
	tr.maxBytes = 3
	var logged int
	tr.log = func(string, ...any) { logged++ }
	for range 3 {
		if _, err := tr.acquire(); !errors.Is(err, errEtcTooBig) {
			t.Fatalf("got %v, want errEtcTooBig", err)
		}
	}
	if logged != 1 {
		t.Fatalf("logged %d times, want once", logged)
	}
	if es, _ := os.ReadDir(tr.parent); len(es) != 0 {
		t.Fatalf("a failed copy left %v", es)
	}
}

// Copies nobody holds a lock on (their process is gone) are removed at
// start, once old enough; a copy in use, or one just made, is not.
func TestEtcTreeRemovesStaleCopies(t *testing.T) {
	parent := t.TempDir()
	dead := filepath.Join(parent, etcPrefix+"dead")
	fresh := filepath.Join(parent, etcPrefix+"fresh")
	other := filepath.Join(parent, "pid1-sandbox-root")
	for _, d := range []string{dead, fresh, other} {
		must(t, os.Mkdir(d, 0o755))
	}
	old := time.Now().Add(-2 * staleAfter)
	must(t, os.Chtimes(dead, old, old))
	live := newTestTree(t, fakeEtc(t))
	live.parent = parent
	c, err := live.acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer live.release(c)
	must(t, os.Chtimes(c.dir, old, old))
	newEtcTree(parent, nil, nil, func(string, ...any) {})
	if _, err := os.Stat(dead); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("an unlocked old copy is still there")
	}
	for _, d := range []string{fresh, other, c.dir} {
		if _, err := os.Stat(d); err != nil {
			t.Fatalf("%s was removed", d)
		}
	}
}

// Both ways of making a run's /etc show the same: the prepared copy (the
// usual one) and, when no copy can be made, binds of the host's entries.
// Secrets stay out, what toolchains read is there, and nothing is
// writable.
func TestEtcInsideTheRun(t *testing.T) {
	check := func(t *testing.T, s *Sandbox) {
		o := sh(t, s, `cat /etc/shadow /etc/gshadow 2>/dev/null; ls /etc/ssl/private 2>/dev/null
test -s /etc/ld.so.cache && echo cache
grep -c . /etc/passwd; cat /etc/hostname; test -e /etc/ssl/certs && echo certs
echo x > /etc/x 2>/dev/null && echo wrote; echo x >> /etc/passwd 2>/dev/null && echo appended; true`)
		expect(t, o, Exited, 0)
		want := "cache\n2\nsandbox\n"
		if _, err := os.Stat("/etc/ssl/certs"); err == nil {
			want += "certs\n"
		}
		if o.stdout != want {
			t.Errorf("got %q, want %q", o.stdout, want)
		}
	}
	t.Run("copy", func(t *testing.T) {
		s := newTestSandbox(t, Config{})
		check(t, s)
		if s.etcTree.cur == nil {
			t.Fatalf("no copy was made: %v", s.etcTree.err)
		}
		dir := s.etcTree.cur.dir
		s.Close()
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("the copy outlived the sandbox: %v", err)
		}
	})
	t.Run("binds", func(t *testing.T) {
		s := newTestSandbox(t, Config{})
		s.etcTree.checkEvery = time.Hour
		s.etcTree.close() // from now on acquire fails: runs bind
		if _, err := s.etcTree.acquire(); err == nil {
			t.Fatal("a closed tree still hands out copies")
		}
		check(t, s)
	})
}
