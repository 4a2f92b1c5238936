package fswatch

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/pid1/pid1/internal/fsroot"
)

const (
	quiet    = 2 * time.Millisecond  // a burst ends after this long without events
	maxDelay = 50 * time.Millisecond // no event waits longer than this
)

// Watcher is the one inotify instance of a workspace, shared by every
// subscriber.
type Watcher struct {
	ws  *fsroot.Dir
	log *slog.Logger

	mu      sync.Mutex
	fw      *fsnotify.Watcher
	done    chan struct{}
	stopped chan struct{}
	dirs    map[string]*watched // by clean path
	byWatch map[string]*watched // by /proc/self/fd path
	subs    map[*Subscription]struct{}
	paused  chan struct{} // tests: the loop waits while this is open
	closed  bool
}

// watched is one directory under watch.
type watched struct {
	path    string   // clean workspace path
	f       *os.File // keeps the watched inode's fd number ours
	watch   string   // /proc/self/fd/N
	refs    int
	entries map[string]bool // name -> is a directory
	stamps  map[string]stamp
}

// stamp tells whether a subscribed file changed across an overflow.
type stamp struct {
	size  int64
	mtime time.Time
}

// NewWatcher returns a watcher for ws; it starts inotify on first use.
func NewWatcher(ws *fsroot.Dir, log *slog.Logger) *Watcher {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Watcher{ws: ws, log: log, dirs: map[string]*watched{}, byWatch: map[string]*watched{},
		subs: map[*Subscription]struct{}{}}
}

// Close stops the watcher; subscriptions get no more events.
func (w *Watcher) Close() error {
	w.mu.Lock()
	fw, done, stopped := w.fw, w.done, w.stopped
	w.fw, w.closed = nil, true
	for _, d := range w.dirs {
		d.f.Close()
	}
	w.dirs, w.byWatch = map[string]*watched{}, map[string]*watched{}
	w.mu.Unlock()
	if fw == nil {
		return nil
	}
	close(done)
	err := fw.Close()
	<-stopped
	return err
}

func (w *Watcher) start() error {
	switch {
	case w.closed:
		return errors.New("fsevents: the watcher is closed")
	case w.fw != nil:
		return nil
	}
	fw, err := fsnotify.NewBufferedWatcher(0)
	if err != nil {
		return fmt.Errorf("fsevents: starting inotify: %w", err)
	}
	w.fw, w.done, w.stopped = fw, make(chan struct{}), make(chan struct{})
	go w.loop(fw, w.done, w.stopped)
	return nil
}

// Subscription is one channel's set of watched paths.
type Subscription struct {
	w       *Watcher
	deliver func(evs []Event, err error)
	dirs    map[string]bool
	files   map[string]bool
}

// Subscribe returns an empty subscription whose events go to deliver,
// which is called from the watcher's goroutine and must not block.
func (w *Watcher) Subscribe(deliver func(evs []Event, err error)) *Subscription {
	s := &Subscription{w: w, deliver: deliver, dirs: map[string]bool{}, files: map[string]bool{}}
	w.mu.Lock()
	w.subs[s] = struct{}{}
	w.mu.Unlock()
	return s
}

// Add subscribes to each path: a directory gives the creates, removes and
// moves inside it, a file its modifications, removal and moves. A path
// that does not exist yet is a file whose directory must exist. Either
// every path is added or none is.
func (s *Subscription) Add(paths []string) error {
	w := s.w
	type want struct {
		path, dir string
		isDir     bool
	}
	var wants []want
	for _, p := range paths {
		c, err := fsroot.Clean(p)
		if err != nil {
			return err
		}
		info, exists, err := w.ws.Stat(c)
		if err != nil {
			return err
		}
		switch {
		case exists && info.Dir:
			wants = append(wants, want{c, c, true})
		case c == "":
			return errors.New("subscribeFile: the workspace root is missing")
		default:
			wants = append(wants, want{c, fsroot.Parent(c), false})
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.start(); err != nil {
		return err
	}
	var added []string
	for _, x := range wants {
		if (x.isDir && s.dirs[x.path]) || (!x.isDir && s.files[x.path]) {
			continue
		}
		if err := w.ref(x.dir); err != nil {
			for _, d := range added {
				w.unref(d)
			}
			return fmt.Errorf("subscribeFile %s: %w", displayPath(x.path), err)
		}
		added = append(added, x.dir)
		if x.isDir {
			s.dirs[x.path] = true
		} else {
			s.files[x.path] = true
			w.dirs[x.dir].stamp(w.ws, x.path)
		}
	}
	return nil
}

func displayPath(p string) string {
	if p == "" {
		return "."
	}
	return p
}

// Close ends the subscription.
func (s *Subscription) Close() {
	w := s.w
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.subs[s]; !ok {
		return
	}
	delete(w.subs, s)
	for d := range s.dirs {
		w.unref(d)
	}
	for f := range s.files {
		w.unref(fsroot.Parent(f))
	}
}

// ref adds a reference to the watch on dir, starting it if needed.
func (w *Watcher) ref(dir string) error {
	if d, ok := w.dirs[dir]; ok {
		d.refs++
		return nil
	}
	if w.fw == nil {
		return errors.New("the watcher is closed")
	}
	f, err := w.ws.OpenDir(dir)
	if err != nil {
		return err
	}
	d := &watched{path: dir, f: f, watch: "/proc/self/fd/" + strconv.Itoa(int(f.Fd())), refs: 1, stamps: map[string]stamp{}}
	if err := w.fw.Add(d.watch); err != nil {
		f.Close()
		return err
	}
	d.entries = w.list(dir)
	w.dirs[dir] = d
	w.byWatch[d.watch] = d
	return nil
}

func (w *Watcher) unref(dir string) {
	d, ok := w.dirs[dir]
	if !ok {
		return
	}
	if d.refs--; d.refs > 0 {
		return
	}
	delete(w.dirs, dir)
	delete(w.byWatch, d.watch)
	if w.fw != nil {
		w.fw.Remove(d.watch)
	}
	d.f.Close()
}

// list reads dir's names and types.
func (w *Watcher) list(dir string) map[string]bool {
	m := map[string]bool{}
	es, err := w.ws.ReadDir(dir)
	if err != nil {
		return m
	}
	for _, e := range es {
		m[e.Name] = e.Dir
	}
	return m
}

func (d *watched) stamp(ws *fsroot.Dir, p string) {
	info, exists, err := ws.Stat(p)
	if err != nil || !exists {
		delete(d.stamps, filepath.Base(p))
		return
	}
	d.stamps[filepath.Base(p)] = stamp{info.Size, info.ModTime}
}

// isDir tells whether p is a directory now (following links inside the
// workspace).
func (w *Watcher) isDir(p string) bool {
	info, exists, err := w.ws.Stat(p)
	return err == nil && exists && info.Dir
}

// name maps an fsnotify path (/proc/self/fd/N/base) to a workspace path.
func (w *Watcher) name(raw string) (d *watched, base string, ok bool) {
	i := strings.LastIndexByte(raw, '/')
	if i < 0 {
		return nil, "", false
	}
	d, ok = w.byWatch[raw[:i]]
	return d, raw[i+1:], ok
}

var errOverflow = errors.New("fsevents: the kernel's event queue overflowed and events were lost; rescanning the subscribed paths")

// Pause stops the watcher from reading events until resume is called.
// Tests use it to make the kernel's queue overflow for real.
func (w *Watcher) Pause() (resume func()) {
	ch := make(chan struct{})
	w.mu.Lock()
	w.paused = ch
	w.mu.Unlock()
	return func() {
		w.mu.Lock()
		w.paused = nil
		w.mu.Unlock()
		close(ch)
	}
}
