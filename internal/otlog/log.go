package otlog

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Log is the op log of one buffer. Records are handed in with Begin and
// Append, which only encode them and return at once; a writer goroutine
// (Run) writes whatever has accumulated and makes it durable with one
// fsync, then reports the sequence number of the last record it covered to
// the callback given to Store.Create. Records handed in while an fsync runs
// wait for the next, so one fsync covers every record that arrived
// meanwhile (group commit). With a sync interval (Store.SetSyncInterval) a
// write is reported once written, and the fsync follows within the
// interval.
//
// Begin, Append, Drop, BaseBytes and EntryBytes are meant for one
// goroutine (the buffer's channel actor); Run runs on another; Sync and
// Close may block and may be called from the first. The callback is called
// from whichever goroutine did the write, never with a lock held that the
// Log's other methods take.
type Log struct {
	file            string // its path in the state directory
	workspace, path string // for the base records
	onDurable       func(seq uint64, err error)

	// io serializes taking work and doing it, so that writes reach the
	// file in the order their records were handed in, whoever does them.
	io sync.Mutex
	f  *os.File // the current file; nil before the first Begin and after Drop
	// end is where the records in f end, and size how far the file is
	// already written with zeros: records are written over zeros, so
	// that their fdatasync need not record a new file size.
	end, size int64
	// broken is set when a write failed: the file may end in a torn frame,
	// so nothing is appended to it until a Begin replaces it.
	broken bool
	// syncEvery is zero when every write is fsynced before it is reported
	// (a record reported survives a crash of the machine); otherwise a
	// write is reported once the OS holds it (it survives pid1 being
	// killed) and fsynced within syncEvery. unsynced is set while written
	// records wait for that fsync.
	syncEvery time.Duration
	unsynced  bool

	mu      sync.Mutex
	wake    chan struct{}
	fresh   []byte // a new file's start: the next write replaces the file
	pending []byte // encoded entries not yet written
	drop    bool   // remove the file before writing what follows
	// appended is the sequence number of the last record handed in; each
	// Begin and Append takes the next one.
	appended uint64
	// durable is the sequence number of the last record made durable (or
	// made moot by Drop), and failed the error of the last write that
	// failed.
	durable               uint64
	failed                error
	baseBytes, entryBytes int
	stopped, running      bool
	exited                chan struct{}
	syncs                 atomic.Int64 // fdatasyncs made
}

// work is what one write does.
type work struct {
	fresh, pending []byte
	drop           bool
	seq            uint64 // the last record it covers
}

// zeros is how far ahead of its records a log file is written with zeros.
var zeros = make([]byte, 128<<10)

var (
	errNoFile = errors.New("no log file: an entry was appended before any base")
	errBroken = errors.New("an earlier write failed; the log takes entries again after its next base")
)

// Begin starts the log over from the buffer at version, whose text is
// text while the file holds disk (as the buffer last read or wrote it):
// the next write replaces the file with one holding this base (and the
// entries appended after it), atomically. Entries not yet written are
// dropped: the base holds their effect. It returns the base's sequence
// number.
func (l *Log) Begin(version uint32, disk, text []byte) uint64 {
	b := appendBase(nil, Base{Workspace: l.workspace, Path: l.path, Version: version, Disk: disk, Text: text})
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fresh, l.pending = b, l.pending[:0]
	l.baseBytes, l.entryBytes = len(b), 0
	return l.handedIn()
}

// Append adds an entry after the current base and returns its sequence
// number. With a sync interval it also writes it (and whatever waits with
// it) before it returns, so the callback hears of it without waiting for
// the writer goroutine: a write that needs no fsync takes microseconds.
func (l *Log) Append(e Entry) uint64 {
	l.mu.Lock()
	n := len(l.pending)
	l.pending = appendEntry(l.pending, e)
	l.entryBytes += len(l.pending) - n
	seq := l.handedIn()
	l.mu.Unlock()
	if l.syncEvery > 0 {
		l.writeOut() // a failure is reported to the callback
	}
	return seq
}

// handedIn numbers a record and wakes the writer. l.mu is held.
func (l *Log) handedIn() uint64 {
	l.appended++
	l.nudge()
	return l.appended
}

// nudge wakes the writer goroutine, unless a wake is already pending.
func (l *Log) nudge() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// Drop removes the log file: the file in the workspace now holds every
// version. Entries not yet written are forgotten, and the next entry needs
// a Begin first.
func (l *Log) Drop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fresh, l.pending, l.drop = nil, l.pending[:0], true
	l.baseBytes, l.entryBytes = 0, 0
	l.nudge()
}

// BaseBytes is the size of the current base record, and EntryBytes that of
// the entries after it: what the log holds on disk once written.
func (l *Log) BaseBytes() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.baseBytes
}

// EntryBytes: see BaseBytes.
func (l *Log) EntryBytes() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.entryBytes
}

// Syncs counts the fsyncs of records made so far.
func (l *Log) Syncs() int { return int(l.syncs.Load()) }

// Run writes records as they are handed in until Close is called or ctx
// ends (Close then writes what is left).
func (l *Log) Run(ctx context.Context) {
	l.mu.Lock()
	if l.stopped {
		l.mu.Unlock()
		return
	}
	l.running = true
	l.mu.Unlock()
	defer close(l.exited)
	var tick *time.Timer // set while written records wait for their fsync
	defer func() {
		if tick != nil {
			tick.Stop()
		}
	}()
	for {
		var due <-chan time.Time
		if tick != nil {
			due = tick.C
		}
		select {
		case <-l.wake:
		case <-due:
			tick = nil
			l.syncWritten()
			continue
		case <-ctx.Done():
			return
		}
		l.mu.Lock()
		stopped := l.stopped
		l.mu.Unlock()
		if stopped {
			return
		}
		l.writeOut()
		if tick == nil && l.syncEvery > 0 && l.waitsForSync() {
			tick = time.NewTimer(l.syncEvery)
		}
	}
}

// waitsForSync reports whether written records wait for an fsync.
func (l *Log) waitsForSync() bool {
	l.io.Lock()
	defer l.io.Unlock()
	return l.unsynced
}

// syncWritten fsyncs the records written since the last fsync. A failure
// breaks the log: the next write reports it, and the buffer is flushed to
// its file instead.
func (l *Log) syncWritten() error {
	l.io.Lock()
	defer l.io.Unlock()
	if !l.unsynced || l.f == nil {
		l.unsynced = false
		return nil
	}
	l.unsynced = false
	if err := l.fdatasync(l.f); err != nil {
		l.broken = true
		err = fmt.Errorf("op log %s: %w", l.file, err)
		l.mu.Lock()
		l.failed = err
		l.mu.Unlock()
		return err
	}
	return nil
}

// Sync writes and makes durable every record handed in so far, on the
// calling goroutine. It fails if any of them is not durable: its write
// failed, now or before (until a Begin or Drop starts over).
func (l *Log) Sync() error {
	err := l.writeOut()
	if err == nil {
		err = l.syncWritten()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err == nil && l.durable < l.appended {
		err = l.failed
	}
	return err
}

// Close stops the writer goroutine and writes what is left. Begin and
// Append must not be called afterwards.
func (l *Log) Close() error {
	l.mu.Lock()
	l.stopped = true
	running := l.running
	l.mu.Unlock()
	l.nudge()
	if running {
		<-l.exited
	}
	err := l.writeOut()
	if err == nil {
		err = l.syncWritten()
	}
	l.io.Lock()
	defer l.io.Unlock()
	if l.f != nil {
		l.f.Close()
		l.f = nil
	}
	return err
}

// writeOut does whatever work is waiting and reports it.
func (l *Log) writeOut() error {
	l.io.Lock()
	defer l.io.Unlock()
	l.mu.Lock()
	w := work{fresh: l.fresh, pending: l.pending, drop: l.drop, seq: l.appended}
	idle := w.fresh == nil && len(w.pending) == 0 && !w.drop
	// The writer owns what it took; the next records go to new memory.
	l.fresh, l.pending, l.drop = nil, nil, false
	l.mu.Unlock()
	if idle {
		return nil
	}
	err := l.do(w)
	if err != nil {
		err = fmt.Errorf("op log %s: %w", l.file, err)
	}
	l.mu.Lock()
	switch {
	case err != nil:
		l.failed = err
	default:
		l.durable = max(l.durable, w.seq)
	}
	l.mu.Unlock()
	l.onDurable(w.seq, err)
	return err
}

// do performs one write. l.io is held.
func (l *Log) do(w work) error {
	if w.drop {
		l.closeFile()
		if err := os.Remove(l.file); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if l.broken {
			// The log ends in a write that failed, so recovery could not
			// tell the flushed file's text from a change made on disk:
			// its removal must be durable before anything else happens.
			if err := syncDir(filepath.Dir(l.file)); err != nil {
				return err
			}
			l.broken = false
		}
	}
	if w.fresh != nil {
		return l.replace(w.fresh, w.pending)
	}
	if len(w.pending) == 0 {
		return nil
	}
	switch {
	case l.broken:
		return errBroken
	case l.f == nil:
		return errNoFile
	}
	b := w.pending
	if l.end+int64(len(b)) > l.size {
		b = append(b, zeros...) // the file grows: one fdatasync in many also writes its size
	}
	if _, err := l.f.WriteAt(b, l.end); err != nil {
		l.broken = true
		return err
	}
	l.end += int64(len(w.pending))
	l.size = max(l.size, l.end+int64(len(b)-len(w.pending)))
	if l.syncEvery > 0 {
		l.unsynced = true
		return nil
	}
	if err := l.fdatasync(l.f); err != nil {
		l.broken = true
		return err
	}
	return nil
}

// replace writes a new file beside the log, makes it durable and renames
// it over the log, so that a crash leaves either the old log or the new
// one, whole.
func (l *Log) replace(fresh, pending []byte) error {
	tmp := l.file + tmpSuffix
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(fresh)
	if err == nil {
		_, err = f.Write(pending)
	}
	if err == nil {
		_, err = f.Write(zeros)
	}
	if err == nil {
		err = l.fdatasync(f)
	}
	if err == nil {
		err = os.Rename(tmp, l.file)
	}
	if err == nil {
		err = syncDir(filepath.Dir(l.file))
	}
	if err != nil {
		f.Close()
		os.Remove(tmp)
		// The old file holds the old base: what follows the new one must
		// not go there.
		l.broken = true
		return err
	}
	l.closeFile()
	l.f, l.broken = f, false
	l.end = int64(len(fresh) + len(pending))
	l.size = l.end + int64(len(zeros))
	return nil
}

func (l *Log) closeFile() {
	l.unsynced = false // the file is removed or replaced by one made durable
	if l.f != nil {
		l.f.Close()
		l.f = nil
	}
}

func (l *Log) fdatasync(f *os.File) error {
	l.syncs.Add(1)
	for {
		err := syscall.Fdatasync(int(f.Fd()))
		if err != syscall.EINTR {
			if err != nil {
				return &fs.PathError{Op: "fdatasync", Path: f.Name(), Err: err}
			}
			return nil
		}
	}
}

// syncDir makes a rename or a new name in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
