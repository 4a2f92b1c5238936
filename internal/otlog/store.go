package otlog

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pid1/pid1/internal/fsroot"
)

const (
	logSuffix = ".log"
	tmpSuffix = ".tmp"
	// asideDir, in a workspace's log directory, holds the logs recovery
	// could not use, for a person to look at; the newest keepAside are kept.
	asideDir  = "set-aside"
	keepAside = 32
	lockName  = "lock"
)

// Store is the op logs of one workspace's buffers, in a directory of pid1's
// state directory: otlog/ and a key of the workspace's absolute path, so
// that workspaces sharing a state directory never see each other's logs.
// Each log's file name is a key of the linked file's path (a path's
// slashes never reach the file system), the time this Store was opened and
// a counter, so two buffers linked to the same file have a log each. A
// Store is safe for concurrent use.
type Store struct {
	dir       string
	workspace string
	files     *fsroot.Dir
	log       *slog.Logger
	stamp     string
	n         atomic.Uint64
	// lock is held (flock) while the Store is open: a second pid1 serving
	// the same workspace with the same state directory must not take the
	// first one's live logs for a crash's leftovers.
	lock *os.File
	// syncEvery is how logs made from now on fsync: see SetSyncInterval.
	syncEvery atomic.Int64
}

// SetSyncInterval sets how the logs Create makes from now on fsync. Zero
// (the default) fsyncs every write before it is reported, so an
// acknowledged edit survives a crash of the machine too. A positive d
// reports a write as soon as the OS holds it, which survives pid1 being
// killed however it dies, and fsyncs within d, so a crash of the machine
// loses at most the last d of edits (Redis's appendfsync everysec makes the
// same trade). Either way a flush of the buffer fsyncs the log first.
func (s *Store) SetSyncInterval(d time.Duration) { s.syncEvery.Store(int64(max(d, 0))) }

// Open opens the log directory of files' workspace in stateDir, creating
// it, and first recovers every log a previous run left there into the
// workspace (see the package comment). A log it cannot use is moved to the
// set-aside directory with a log line; Open fails only if the directory
// cannot be created or read. While another open Store (in this process or
// another) holds the directory, nothing is recovered.
func Open(stateDir string, files *fsroot.Dir, log *slog.Logger) (*Store, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ws, err := filepath.Abs(files.Path())
	if err != nil {
		return nil, err
	}
	s := &Store{
		dir:       filepath.Join(stateDir, "otlog", key(ws)),
		workspace: ws,
		files:     files,
		log:       log,
		stamp:     fmt.Sprintf("%016x", time.Now().UnixNano()),
	}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the ot log directory: %w", err)
	}
	if s.lock, err = os.OpenFile(filepath.Join(s.dir, lockName), os.O_RDWR|os.O_CREATE, 0o600); err != nil {
		return nil, fmt.Errorf("opening the ot log directory's lock: %w", err)
	}
	if err := flock(s.lock); err != nil {
		s.log.Warn("ot log: another process holds the logs of this workspace (is a second pid1 serving it?); "+
			"their logs are left to it, not recovered", "dir", s.dir, "err", err)
		return s, nil
	}
	names, err := os.ReadDir(s.dir)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("reading the ot log directory: %w", err)
	}
	for _, e := range names { // sorted by name: older runs' logs first
		switch name := e.Name(); {
		case e.IsDir():
		case strings.HasSuffix(name, tmpSuffix):
			os.Remove(filepath.Join(s.dir, name)) // a new log that never took its place
		case strings.HasSuffix(name, logSuffix):
			s.recoverFile(name)
		}
	}
	return s, nil
}

// Close lets another Store open the directory's logs for recovery (the
// end of the process does the same). Logs made by Create are not closed.
func (s *Store) Close() error { return s.lock.Close() }

func flock(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err != syscall.EINTR {
			return err
		}
	}
}

// Dir is the directory the logs are in.
func (s *Store) Dir() string { return s.dir }

// Create returns the log of a buffer linked to the file at path (clean).
// No file is made until its first Begin is written. onDurable is called
// after each write with the sequence number of the last record it made
// durable, or the write's error (see Log).
func (s *Store) Create(path string, onDurable func(seq uint64, err error)) *Log {
	name := fmt.Sprintf("%s-%s-%06d%s", key(path)[:16], s.stamp, s.n.Add(1), logSuffix)
	return &Log{
		file:      filepath.Join(s.dir, name),
		workspace: s.workspace,
		path:      path,
		onDurable: onDurable,
		syncEvery: time.Duration(s.syncEvery.Load()),
		wake:      make(chan struct{}, 1),
		exited:    make(chan struct{}),
	}
}

// key is a name for s that is safe as one file name and never equal for
// two different strings in practice.
func key(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:16])
}

// setAside moves a log recovery could not use out of the way, so it is
// not tried again, and says why.
func (s *Store) setAside(name, why string) {
	aside := filepath.Join(s.dir, asideDir)
	to := filepath.Join(aside, name)
	err := os.MkdirAll(aside, 0o700)
	if err == nil {
		err = os.Rename(filepath.Join(s.dir, name), to)
	}
	if err != nil {
		s.log.Error("ot log: cannot set aside a log recovery could not use; it will be tried again at the next start",
			"log", filepath.Join(s.dir, name), "why", why, "err", err)
		return
	}
	s.log.Warn("ot log: set aside a log", "log", to, "why", why)
	s.pruneAside(aside)
}

// pruneAside keeps the newest keepAside logs that were set aside.
func (s *Store) pruneAside(aside string) {
	es, err := os.ReadDir(aside)
	if err != nil {
		return
	}
	names := make([]string, 0, len(es))
	for _, e := range es {
		names = append(names, e.Name())
	}
	// The time in each name is the same width for every log, so sorting
	// by the part after the path key sorts by age.
	slices.SortFunc(names, func(a, b string) int { return strings.Compare(afterKey(a), afterKey(b)) })
	for _, n := range names[:max(0, len(names)-keepAside)] {
		os.Remove(filepath.Join(aside, n))
	}
}

func afterKey(name string) string {
	if _, rest, ok := strings.Cut(name, "-"); ok {
		return rest
	}
	return name
}
