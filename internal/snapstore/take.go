package snapstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"time"

	"github.com/pid1/pid1/internal/fsroot"
	"github.com/pid1/pid1/internal/storage"
	"golang.org/x/sync/errgroup"
)

// Store takes snapshots of one workspace into one bucket.
type Store struct {
	bucket *storage.Bucket
	dir    string // the workspace's absolute path

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

// New returns a store for the workspace at dir, keeping snapshots in b.
func New(b *storage.Bucket, dir string) *Store {
	return &Store{bucket: b, dir: dir, cache: map[string]cacheEntry{}, known: map[string]bool{}}
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
	m := &Manifest{Version: manifestVersion, Created: time.Now().UTC()}
	type job struct {
		idx  int
		path string
		key  cacheEntry
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
				jobs = append(jobs, job{idx: len(m.Entries), path: e.Path, key: w.key})
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
			hash, size, stored, err := s.store(gctx, filepath.Join(s.dir, j.path))
			if err != nil {
				return fmt.Errorf("snapshot: %s: %w", j.path, err)
			}
			mu.Lock()
			defer mu.Unlock()
			m.Entries[j.idx].Hash, m.Entries[j.idx].Size = hash, size
			j.key.hash, j.key.size = hash, size
			newCache[j.path] = j.key
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
	for _, e := range m.Entries {
		if e.Kind == "file" {
			res.Files++
		}
	}
	body := encode(m)
	res.Manifest = fmt.Sprintf("manifests/%020d.json", m.Created.UnixNano())
	if err := s.bucket.WriteAll(ctx, res.Manifest, body, nil); err != nil {
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
	if err := s.bucket.WriteAll(ctx, "latest", []byte(res.Manifest), nil); err != nil {
		return res, fmt.Errorf("snapshot: marking the manifest current: %w", err)
	}
	if err := s.bucket.SyncKeys("latest"); err != nil {
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

// store hashes the file at abs and uploads its content unless a blob with
// that hash is already stored.
func (s *Store) store(ctx context.Context, abs string) (hash string, size int64, uploaded bool, err error) {
	f, err := os.Open(abs)
	if err != nil {
		return "", 0, false, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return "", 0, false, err
	}
	var data []byte
	h := sha256.New()
	if info.Size() <= smallFile {
		if data, err = io.ReadAll(f); err != nil {
			return "", 0, false, err
		}
		h.Write(data)
	} else if _, err := io.Copy(h, f); err != nil {
		return "", 0, false, err
	}
	hash = hex.EncodeToString(h.Sum(nil))
	if !s.claim(ctx, hash) {
		return hash, max(int64(len(data)), info.Size()), false, nil
	}
	if data != nil {
		err = s.bucket.WriteAll(ctx, blobKey(hash), data, nil)
		size = int64(len(data))
	} else {
		size, err = s.uploadLarge(ctx, f, hash)
	}
	if err != nil {
		s.unclaim(hash)
		return "", 0, false, err
	}
	return hash, size, true, nil
}

// uploadLarge streams f to the blob for hash, checking that the content
// did not change since it was hashed.
func (s *Store) uploadLarge(ctx context.Context, f *os.File, hash string) (int64, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := s.bucket.NewWriter(ctx, blobKey(hash), nil)
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

func blobKey(hash string) string { return "blobs/" + hash[:2] + "/" + hash }

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

// walk lists the workspace in path order, statting the top-level
// directories' trees in parallel (a walk is mostly lstat calls).
func (s *Store) walk(ctx context.Context) ([]walked, error) {
	tops, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, err
	}
	parts := make([][]walked, len(tops))
	g, _ := errgroup.WithContext(ctx)
	g.SetLimit(max(4, 2*runtime.GOMAXPROCS(0)))
	for i, top := range tops {
		g.Go(func() error {
			return filepath.WalkDir(filepath.Join(s.dir, top.Name()), func(abs string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				w, ok, err := s.visit(abs, d)
				if ok {
					parts[i] = append(parts[i], w)
				}
				return err
			})
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var all []walked
	for _, p := range parts {
		all = append(all, p...)
	}
	return all, nil
}

// visit describes one path; ok is false for what snapshots leave out
// (pid1's temporary files, sockets, fifos, devices).
func (s *Store) visit(abs string, d fs.DirEntry) (w walked, ok bool, err error) {
	if fsroot.IsTemp(d.Name()) {
		return w, false, nil
	}
	rel, _ := filepath.Rel(s.dir, abs)
	info, err := d.Info()
	if err != nil {
		return w, false, err
	}
	e := Entry{Path: filepath.ToSlash(rel), Mode: uint32(info.Mode().Perm())}
	switch {
	case d.IsDir():
		e.Kind = "dir"
	case d.Type()&fs.ModeSymlink != 0:
		e.Kind = "link"
		if e.Target, err = os.Readlink(abs); err != nil {
			return w, false, err
		}
	case d.Type().IsRegular():
		e.Kind, e.Size = "file", info.Size()
		w.key = statKey(info)
	default:
		return w, false, nil
	}
	w.entry = e
	return w, true, nil
}
