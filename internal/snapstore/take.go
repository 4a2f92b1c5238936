package snapstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/pid1/pid1/internal/fsroot"
	"github.com/pid1/pid1/internal/storage"
)

// Store takes snapshots of one workspace into one bucket.
type Store struct {
	bucket *storage.Bucket
	ws     *fsroot.Dir
	id     string // the workspace's id: its manifests are under workspaces/<id>/

	mu      sync.Mutex            // one snapshot or restore at a time
	cache   map[string]cacheEntry // by path, from the last snapshot
	seeded  bool                  // known holds the latest manifest's hashes
	knownMu sync.Mutex
	known   map[string]bool // hashes known to be stored
}

// cacheEntry lets an unchanged file skip hashing.
type cacheEntry struct {
	size, mtime, ctime int64
	ino                uint64
	hash               string
}

// New returns a store for the workspace ws, whose id is id, keeping
// snapshots in b. The id decides which snapshots are this workspace's:
// Latest and Restore see only manifests taken with the same id.
func New(b *storage.Bucket, ws *fsroot.Dir, id string) (*Store, error) {
	if err := CheckID(id); err != nil {
		return nil, err
	}
	return &Store{bucket: b, ws: ws, id: id, cache: map[string]cacheEntry{}, known: map[string]bool{}}, nil
}

// Result describes a snapshot taken.
type Result struct {
	Manifest      string // its name
	Files         int
	Uploaded      int // blobs written
	UploadedBytes int64
}

// smallFile is read whole: hashed and uploaded from the same bytes.
const smallFile = 8 << 20

// syncEach is how many new blobs are fsynced one by one; beyond it the
// whole file system is flushed at once.
const syncEach = 64

// Take snapshots the workspace. When it returns nil the snapshot is
// durable and current; on error the previous snapshot stays current.
func (s *Store) Take(ctx context.Context) (Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seedKnown(ctx)
	var res Result
	m := &Manifest{Version: manifestVersion, Workspace: s.id, Created: time.Now().UTC()}
	type job struct {
		idx  int
		path string
	}
	var jobs []job
	newCache := make(map[string]cacheEntry, len(s.cache))
	walked, err := s.walk(ctx)
	if err != nil {
		return res, fmt.Errorf("snapshot: reading the workspace: %w", err)
	}
	for _, w := range walked {
		e := w.entry
		if e.Kind == "file" {
			if c, ok := s.cache[e.Path]; ok && c.size == w.key.size && c.mtime == w.key.mtime && c.ctime == w.key.ctime && c.ino == w.key.ino {
				e.Hash = c.hash
				newCache[e.Path] = c
			} else {
				jobs = append(jobs, job{idx: len(m.Entries), path: e.Path})
			}
		}
		m.Entries = append(m.Entries, e)
	}
	var mu sync.Mutex
	var uploaded []string // blob keys written
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(4, 2*runtime.GOMAXPROCS(0)))
	for _, j := range jobs {
		g.Go(func() error {
			hash, key, stored, err := s.store(gctx, j.path)
			if errors.Is(err, errGone) {
				mu.Lock()
				m.Entries[j.idx].Kind = "" // removed below
				mu.Unlock()
				return nil
			}
			if err != nil {
				return fmt.Errorf("snapshot: %s: %w", j.path, err)
			}
			size := key.size
			mu.Lock()
			defer mu.Unlock()
			m.Entries[j.idx].Hash, m.Entries[j.idx].Size = hash, size
			key.hash = hash
			newCache[j.path] = key
			if stored {
				res.Uploaded++
				res.UploadedBytes += size
				uploaded = append(uploaded, blobKey(hash))
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return res, err
	}
	m.Entries = slices.DeleteFunc(m.Entries, func(e Entry) bool { return e.Kind == "" })
	if err := validate(m.Entries); err != nil { // never store what a restore would refuse
		return res, fmt.Errorf("snapshot: %w", err)
	}
	for _, e := range m.Entries {
		if e.Kind == "file" {
			res.Files++
		}
	}
	body := encode(m)
	res.Manifest = s.manifestKey(m.Created)
	if err := s.bucket.WriteAll(ctx, res.Manifest, body); err != nil {
		return res, fmt.Errorf("snapshot: writing the manifest: %w", err)
	}
	// The blobs and the manifest must be durable before "latest" names it.
	var err2 error
	if len(uploaded) > syncEach {
		err2 = s.bucket.Sync()
	} else {
		err2 = s.bucket.SyncKeys(append(uploaded, res.Manifest)...)
	}
	if err2 != nil {
		return res, fmt.Errorf("snapshot: %w", err2)
	}
	if err := s.bucket.WriteAll(ctx, s.latestKey(), []byte(res.Manifest)); err != nil {
		return res, fmt.Errorf("snapshot: marking the manifest current: %w", err)
	}
	if err := s.bucket.SyncKeys(s.latestKey()); err != nil {
		return res, fmt.Errorf("snapshot: %w", err)
	}
	s.cache = newCache
	return res, nil
}

func statKey(info fs.FileInfo) cacheEntry {
	k := cacheEntry{size: info.Size(), mtime: info.ModTime().UnixNano()}
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		k.ino = st.Ino
		k.ctime = st.Ctim.Nano()
	}
	return k
}

// errGone is a file that was removed or replaced by something other than
// a regular file between the walk and its reading: the snapshot leaves it
// out, as if the walk had come a moment later.
var errGone = errors.New("gone")

// store hashes the workspace's file p and uploads its content unless a
// blob with that hash is already stored. It returns what the file's stat
// said when it was opened, for the cache.
func (s *Store) store(ctx context.Context, p string) (hash string, key cacheEntry, uploaded bool, err error) {
	f, err := s.ws.OpenNoFollow(p)
	if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.ENOTDIR) || errors.Is(err, fsroot.ErrNotRegular) {
		return "", key, false, errGone
	}
	if err != nil {
		return "", key, false, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return "", key, false, err
	}
	key = statKey(info)
	var data []byte
	h := sha256.New()
	if info.Size() <= smallFile {
		if data, err = io.ReadAll(f); err != nil {
			return "", key, false, err
		}
		h.Write(data)
		key.size = int64(len(data))
	} else if key.size, err = io.Copy(h, f); err != nil {
		return "", key, false, err
	}
	hash = hex.EncodeToString(h.Sum(nil))
	if !s.claim(ctx, hash) {
		return hash, key, false, nil
	}
	if data != nil {
		err = s.bucket.WriteAll(ctx, blobKey(hash), data)
	} else {
		var n int64
		if n, err = s.uploadLarge(ctx, f, hash); err == nil && n != key.size {
			err = fmt.Errorf("the file changed while it was being stored; try again")
		}
	}
	if err != nil {
		s.unclaim(hash)
		return "", key, false, err
	}
	return hash, key, true, nil
}

// uploadLarge streams f to the blob for hash, checking that the content
// did not change since it was hashed.
func (s *Store) uploadLarge(ctx context.Context, f *os.File, hash string) (int64, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := s.bucket.NewWriter(ctx, blobKey(hash))
	if err != nil {
		return 0, err
	}
	h := sha256.New()
	n, err := io.Copy(w, io.TeeReader(f, h))
	if err == nil && hex.EncodeToString(h.Sum(nil)) != hash {
		err = fmt.Errorf("the file changed while it was being stored; try again")
	}
	if err != nil {
		cancel() // abandons the write
		w.Close()
		return 0, err
	}
	return n, w.Close()
}

// claim reports whether the caller should upload the blob for hash: not
// if another upload in this snapshot claimed it or the bucket has it.
// A claimer whose upload fails calls unclaim.
func (s *Store) claim(ctx context.Context, hash string) bool {
	s.knownMu.Lock()
	if s.known[hash] {
		s.knownMu.Unlock()
		return false
	}
	s.known[hash] = true
	s.knownMu.Unlock()
	if ok, err := s.bucket.Exists(ctx, blobKey(hash)); err == nil && ok {
		return false
	}
	return true
}

func (s *Store) unclaim(hash string) {
	s.knownMu.Lock()
	delete(s.known, hash)
	s.knownMu.Unlock()
}

func (s *Store) markKnown(hash string) {
	s.knownMu.Lock()
	s.known[hash] = true
	s.knownMu.Unlock()
}

// seedKnown marks the blobs of the latest snapshot as stored, so that the
// first snapshot after a restart uploads nothing that is already there.
func (s *Store) seedKnown(ctx context.Context) {
	if s.seeded {
		return
	}
	if _, m, err := s.Latest(ctx); err == nil {
		for _, e := range m.Entries {
			if e.Kind == "file" {
				s.markKnown(e.Hash)
			}
		}
	}
	s.seeded = true
}

// walked is one path found in the workspace.
type walked struct {
	entry Entry
	key   cacheEntry // for a file
}

// walk lists the workspace through its fsroot.Dir, which never follows a
// symbolic link: a link is stored as a link.
func (s *Store) walk(ctx context.Context) ([]walked, error) {
	nodes, err := s.ws.Tree(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]walked, 0, len(nodes))
	for _, n := range nodes {
		if w, ok := visit(n); ok {
			out = append(out, w)
		}
	}
	return out, nil
}

// visit describes one path; ok is false for what snapshots leave out
// (sockets, fifos, devices).
func visit(n fsroot.Node) (w walked, ok bool) {
	e := Entry{Path: n.Path, Mode: uint32(n.Mode.Perm())}
	switch {
	case n.Mode.IsDir():
		e.Kind = "dir"
	case n.Mode&fs.ModeSymlink != 0:
		e.Kind, e.Target = "link", n.Target
	case n.Mode.IsRegular():
		e.Kind, e.Size = "file", n.Size
		w.key = cacheEntry{size: n.Size, mtime: n.MTime, ctime: n.CTime, ino: n.Ino}
	default:
		return w, false
	}
	w.entry = e
	return w, true
}
