package snapshot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"time"

	"github.com/pid1/pid1/fsroot"
	"github.com/pid1/pid1/storage"
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
	err := filepath.WalkDir(s.dir, func(abs string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(s.dir, abs)
		if rel == "." || fsroot.IsTemp(d.Name()) {
			return nil
		}
		rel = filepath.ToSlash(rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		e := Entry{Path: rel, Mode: uint32(info.Mode().Perm())}
		switch {
		case d.IsDir():
			e.Kind = "dir"
		case d.Type()&fs.ModeSymlink != 0:
			e.Kind = "link"
			if e.Target, err = os.Readlink(abs); err != nil {
				return err
			}
		case d.Type().IsRegular():
			e.Kind, e.Size = "file", info.Size()
			key := statKey(info)
			if c, ok := s.cache[rel]; ok && c.size == key.size && c.mtime == key.mtime && c.ctime == key.ctime && c.ino == key.ino {
				e.Hash = c.hash
				newCache[rel] = c
			} else {
				jobs = append(jobs, job{idx: len(m.Entries), path: rel, key: key})
			}
		default:
			return nil // sockets, fifos, devices
		}
		m.Entries = append(m.Entries, e)
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("snapshot: reading the workspace: %w", err)
	}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(4, 2*runtime.GOMAXPROCS(0)))
	for _, j := range jobs {
		g.Go(func() error {
			hash, size, uploaded, err := s.store(gctx, filepath.Join(s.dir, j.path))
			if err != nil {
				return fmt.Errorf("snapshot: %s: %w", j.path, err)
			}
			mu.Lock()
			defer mu.Unlock()
			m.Entries[j.idx].Hash, m.Entries[j.idx].Size = hash, size
			j.key.hash, j.key.size = hash, size
			newCache[j.path] = j.key
			if uploaded {
				res.Uploaded++
				res.UploadedBytes += size
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
	body, err := json.Marshal(m)
	if err != nil {
		return res, err
	}
	res.Manifest = fmt.Sprintf("manifests/%020d.json", m.Created.UnixNano())
	if err := s.bucket.WriteAll(ctx, res.Manifest, body, nil); err != nil {
		return res, fmt.Errorf("snapshot: writing the manifest: %w", err)
	}
	if err := s.bucket.Sync(); err != nil {
		return res, fmt.Errorf("snapshot: %w", err)
	}
	if err := s.bucket.WriteAll(ctx, "latest", []byte(res.Manifest), nil); err != nil {
		return res, fmt.Errorf("snapshot: marking the manifest current: %w", err)
	}
	if err := s.bucket.Sync(); err != nil {
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
