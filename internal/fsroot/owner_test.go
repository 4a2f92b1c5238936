package fsroot

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// With an owner set, what the Dir creates for clients (files, the
// directories on their way, links) belongs to the workspace's user, so
// that user's programs can change it. Needs root to chown.
func TestOwnerOwnsWhatTheDirCreates(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("chown needs root")
	}
	dir := t.TempDir()
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	const uid, gid = 4321, 4322
	if err := d.SetOwner(uid, gid); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(d.Write("a/b/file.txt", []byte("x")))
	must(d.Mkdir("c/d"))
	must(d.Symlink("file.txt", "a/b/link"))
	for _, p := range []string{"", "a", "a/b", "a/b/file.txt", "c", "c/d", "a/b/link"} {
		fi, err := os.Lstat(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		if st.Uid != uid || st.Gid != gid {
			t.Errorf("%q is owned by %d:%d, want %d:%d", p, st.Uid, st.Gid, uid, gid)
		}
	}
}
