//go:build linux

package sandbox

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// etcTree is the /etc every run sees, prepared once on the host: a copy of
// the allowed entries of the host's /etc (symbolic links kept as links)
// with the generated files beside them, which a run mounts read-only in
// one bind. Built per run from binds, /etc costs some forty mounts to make
// and to tear down, a fifth of a run's cost.
//
// The copy follows the host: at most every checkEvery, a run's start
// compares a fingerprint of the allowed entries (every path's type, size,
// times and inode) with the copy's, and a change makes a new copy. A copy
// is removed once it is neither current nor in use by a run.
type etcTree struct {
	parent     string // where copies are made
	source     string // the host's /etc
	allow      []string
	generated  []fileSpec
	checkEvery time.Duration
	maxBytes   int64

	log func(msg string, args ...any) // says why a copy could not be made

	mu      sync.Mutex
	cur     *etcCopy // nil: none could be made (err says why)
	err     error
	sum     uint64 // the fingerprint cur (or err) was made at
	checked time.Time
}

// etcCopy is one copy of /etc, counted while runs use it. Its directory
// is flock'ed (shared) while the copy exists, which tells other processes
// sharing the parent directory that it is not left over from a crash.
type etcCopy struct {
	dir  string
	lock *os.File
	refs int
	old  bool // no longer current: removed when refs drops to 0
}

// remove deletes the copy and lets go of its lock.
func (c *etcCopy) remove() {
	os.RemoveAll(c.dir)
	c.lock.Close()
}

// etcPrefix starts the names of the copies.
const etcPrefix = "pid1-sandbox-etc-"

// staleAfter is how old an unlocked copy must be before another process
// removes it: a copy is locked a moment after its directory is made.
const staleAfter = time.Minute

// errEtcTooBig says the allowed entries are more than a copy should hold;
// runs then build /etc from binds.
var errEtcTooBig = errors.New("the allowed /etc entries are too big to copy")

func newEtcTree(parent string, allow []string, generated []fileSpec, log func(string, ...any)) *etcTree {
	removeStaleEtc(parent)
	return &etcTree{parent: parent, source: "/etc", allow: allow, generated: generated, log: log,
		checkEvery: 2 * time.Second, maxBytes: 64 << 20}
}

// acquire returns the current copy, made or remade if the host's entries
// changed, counted as in use until release. Without one (the entries are
// too big, the parent directory is not writable) it returns the error,
// and tries again only once the entries change.
func (t *etcTree) acquire() (*etcCopy, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	first := t.cur == nil && t.err == nil
	if first || time.Since(t.checked) >= t.checkEvery {
		sum := t.fingerprint()
		t.checked = time.Now()
		if first || sum != t.sum {
			c, err := t.build()
			t.retire()
			t.cur, t.err, t.sum = c, err, sum
			if err != nil {
				t.log("sandbox: runs build /etc from binds, which costs more per run", "err", err)
			}
		}
	}
	if t.cur == nil {
		return nil, t.err
	}
	t.cur.refs++
	return t.cur, nil
}

// release ends a run's use of c.
func (t *etcTree) release(c *etcCopy) {
	t.mu.Lock()
	defer t.mu.Unlock()
	c.refs--
	if c.old && c.refs == 0 {
		c.remove()
	}
}

// close removes the current copy once no run uses it.
func (t *etcTree) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.retire()
	t.cur, t.err = nil, errors.New("sandbox: closed")
}

// retire marks the current copy old, removing it now if unused.
func (t *etcTree) retire() {
	if t.cur == nil {
		return
	}
	t.cur.old = true
	if t.cur.refs == 0 {
		t.cur.remove()
	}
}

// entries are the allowed names present in the source.
func (t *etcTree) entries() []string { return expandEtc(t.source, t.allow) }

// fingerprint hashes the source directory's own metadata and every path
// under the allowed entries.
func (t *etcTree) fingerprint() uint64 {
	h := fnv.New64a()
	add := func(p string, st *unix.Stat_t) {
		fmt.Fprintf(h, "%s %o %d %d %d.%d %d.%d\n", p, st.Mode, st.Size, st.Ino,
			st.Mtim.Sec, st.Mtim.Nsec, st.Ctim.Sec, st.Ctim.Nsec)
	}
	var st unix.Stat_t
	if unix.Lstat(t.source, &st) == nil {
		add(t.source, &st)
	}
	for _, e := range t.entries() {
		filepath.WalkDir(filepath.Join(t.source, e), func(p string, d fs.DirEntry, err error) error {
			if err == nil && unix.Lstat(p, &st) == nil {
				add(p, &st)
			}
			return nil
		})
	}
	return h.Sum64()
}

// build makes a new copy.
func (t *etcTree) build() (*etcCopy, error) {
	dir, err := os.MkdirTemp(t.parent, etcPrefix)
	if err != nil {
		return nil, fmt.Errorf("sandbox: preparing /etc: %w", err)
	}
	lock, err := os.Open(dir)
	if err == nil {
		err = unix.Flock(int(lock.Fd()), unix.LOCK_SH)
	}
	budget := t.maxBytes
	if err == nil {
		err = os.Chmod(dir, 0o755)
	}
	for _, e := range t.entries() {
		if err != nil {
			break
		}
		err = copyTree(filepath.Join(t.source, e), filepath.Join(dir, e), &budget)
	}
	for _, f := range t.generated {
		if err != nil {
			break
		}
		p := filepath.Join(dir, f.name)
		os.RemoveAll(p)
		err = os.WriteFile(p, []byte(f.data), 0o644)
	}
	if err != nil {
		os.RemoveAll(dir)
		if lock != nil {
			lock.Close()
		}
		if errors.Is(err, errEtcTooBig) {
			return nil, err
		}
		return nil, fmt.Errorf("sandbox: preparing /etc: %w", err)
	}
	return &etcCopy{dir: dir, lock: lock}, nil
}

// copyTree copies src to dst: directories, regular files and symbolic
// links, with their permission bits; anything else is left out. budget is
// what the files may still take.
func copyTree(src, dst string, budget *int64) error {
	st, err := os.Lstat(src)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // went away meanwhile
	}
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	switch {
	case st.Mode()&fs.ModeSymlink != 0:
		target, err := os.Readlink(src)
		if err != nil {
			return err
		}
		return os.Symlink(target, dst)
	case st.IsDir():
		if err := os.Mkdir(dst, st.Mode().Perm()); err != nil {
			return err
		}
		if err := os.Chmod(dst, st.Mode().Perm()); err != nil { // past the umask
			return err
		}
		es, err := os.ReadDir(src)
		if err != nil {
			return err
		}
		for _, e := range es {
			if err := copyTree(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name()), budget); err != nil {
				return err
			}
		}
		return nil
	case st.Mode().IsRegular():
		if *budget -= st.Size(); *budget < 0 {
			return errEtcTooBig
		}
		return copyFile(src, dst, st.Mode().Perm())
	}
	return nil
}

func copyFile(src, dst string, perm fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if err2 := out.Chmod(perm); err == nil {
		err = err2
	}
	if err2 := out.Close(); err == nil {
		err = err2
	}
	return err
}

// removeStaleEtc removes the copies left in parent by processes that no
// longer run (a crash, a kill -9): those nobody holds a lock on. (Not by
// pid: a pid1 in another pid namespace may share the directory.)
func removeStaleEtc(parent string) {
	es, _ := os.ReadDir(parent)
	for _, e := range es {
		if !strings.HasPrefix(e.Name(), etcPrefix) || !e.IsDir() {
			continue
		}
		p := filepath.Join(parent, e.Name())
		if st, err := os.Stat(p); err != nil || time.Since(st.ModTime()) < staleAfter {
			continue
		}
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		if unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB) == nil {
			os.RemoveAll(p)
		}
		f.Close()
	}
}
