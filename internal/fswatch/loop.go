package fswatch

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/internal/fsroot"
)

// loop gathers raw events into bursts and hands each burst to flush.
func (w *Watcher) loop(fw *fsnotify.Watcher, done, stopped chan struct{}) {
	defer close(stopped)
	var batch []fsnotify.Event
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var first time.Time
	for {
		w.waitIfPaused(done)
		select {
		case <-done:
			return
		case ev, ok := <-fw.Events:
			if !ok {
				return
			}
			if len(batch) == 0 {
				first = time.Now()
			}
			batch = append(batch, ev)
			timer.Reset(min(quiet, time.Until(first.Add(maxDelay))))
		case err, ok := <-fw.Errors:
			if !ok {
				return
			}
			w.flush(batch)
			batch = nil
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				w.overflow()
			} else {
				w.log.Warn("fsevents: watcher error", "err", err)
			}
		case <-timer.C:
			// A rename shows as a Rename of the old name, then a Create of
			// the new one; on a loaded machine the two may be further apart
			// than a burst's quiet gap. A burst that ends in a Rename waits
			// (up to maxDelay in all) for its Create, so that the pair is
			// one Move, never a Remove and then a Move.
			if n := len(batch); n > 0 && batch[n-1].Has(fsnotify.Rename) {
				if rest := time.Until(first.Add(maxDelay)); rest > 0 {
					timer.Reset(rest)
					continue
				}
			}
			w.flush(batch)
			batch = nil
		}
	}
}

func (w *Watcher) waitIfPaused(done chan struct{}) {
	w.mu.Lock()
	p := w.paused
	w.mu.Unlock()
	if p != nil {
		select {
		case <-p:
		case <-done:
		}
	}
}

// raw is an fsnotify event mapped onto the workspace.
type raw struct {
	op   fsnotify.Op
	path string
	from string // for a Create that ends a rename: where it came from; "" if unknown
	d    *watched
	base string
}

// flush translates a burst into events and delivers them.
func (w *Watcher) flush(batch []fsnotify.Event) {
	if len(batch) == 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	raws := make([]raw, 0, len(batch))
	pairedFrom := map[string]bool{}
	for _, ev := range batch {
		d, base, ok := w.name(ev.Name)
		if !ok {
			continue // the directory itself, or one no longer watched
		}
		r := raw{op: ev.Op, path: fsroot.Join(d.path, base), d: d, base: base}
		if ev.Has(fsnotify.Create) {
			if fd, fbase, ok := w.name(renamedFrom(ev)); ok {
				r.from = fsroot.Join(fd.path, fbase)
				pairedFrom[r.from] = true
			}
		}
		raws = append(raws, r)
	}
	var evs []Event
	for _, r := range raws {
		evs = append(evs, w.translate(r, pairedFrom)...)
	}
	w.dispatch(coalesce(evs))
}

// renamedFrom is the old name of a Create that ends a rename. fsnotify
// pairs the inotify cookies but shows the pair only in String():
// `CREATE        "new" ← "old"`.
func renamedFrom(ev fsnotify.Event) string {
	s := ev.String()
	i := strings.LastIndex(s, " ← ")
	if i < 0 {
		return ""
	}
	from, err := strconv.Unquote(s[i+len(" ← "):])
	if err != nil {
		return ""
	}
	return from
}

// translate turns one raw event into protocol events and keeps the
// directory listing up to date.
func (w *Watcher) translate(r raw, pairedFrom map[string]bool) []Event {
	temp := fsroot.IsTemp(r.base)
	switch {
	case r.op.Has(fsnotify.Create):
		isDir := w.isDir(r.path)
		if temp {
			return nil
		}
		if r.from != "" && !fsroot.IsTemp(baseOf(r.from)) {
			if fd, ok := w.dirs[fsroot.Parent(r.from)]; ok {
				delete(fd.entries, baseOf(r.from))
			}
			r.d.entries[r.base] = isDir
			return []Event{{Op: api.FileEvent_Move, Path: r.from, Dest: r.path, Dir: isDir}}
		}
		if _, known := r.d.entries[r.base]; known {
			r.d.entries[r.base] = isDir
			return []Event{{Op: api.FileEvent_Modify, Path: r.path, Dir: isDir}} // replaced
		}
		r.d.entries[r.base] = isDir
		return []Event{{Op: api.FileEvent_Create, Path: r.path, Dir: isDir}}
	case r.op.Has(fsnotify.Write):
		if temp {
			return nil
		}
		return []Event{{Op: api.FileEvent_Modify, Path: r.path, Dir: r.d.entries[r.base]}}
	case r.op.Has(fsnotify.Remove), r.op.Has(fsnotify.Rename):
		if temp || (r.op.Has(fsnotify.Rename) && pairedFrom[r.path]) {
			return nil // the Create that ends the rename reports it
		}
		isDir, known := r.d.entries[r.base]
		delete(r.d.entries, r.base)
		if !known && r.op.Has(fsnotify.Rename) {
			return nil
		}
		return []Event{{Op: api.FileEvent_Remove, Path: r.path, Dir: isDir}}
	}
	return nil
}

func baseOf(p string) string { return p[strings.LastIndexByte(p, '/')+1:] }

// dispatch hands each subscription the events it asked for. Called with
// w.mu held.
func (w *Watcher) dispatch(evs []Event) {
	if len(evs) == 0 {
		return
	}
	for s := range w.subs {
		var mine []Event
		for _, e := range evs {
			if m, ok := s.match(e); ok {
				mine = append(mine, m)
			}
		}
		if len(mine) > 0 {
			s.deliver(mine, nil)
		}
	}
	for _, e := range evs {
		for _, p := range []string{e.Path, e.Dest} {
			if d, ok := w.dirs[fsroot.Parent(p)]; ok && p != "" {
				if _, has := d.stamps[baseOf(p)]; has || w.fileSubscribed(p) {
					d.stamp(w.ws, p)
				}
			}
		}
	}
}

func (w *Watcher) fileSubscribed(p string) bool {
	for s := range w.subs {
		if s.files[p] {
			return true
		}
	}
	return false
}

// match says what s sees of e, if anything: a directory subscription sees
// creates, removes and moves inside it; a file subscription sees the
// file's modifications, its removal and its moves, and a file appearing at
// its path (created or moved there) as a modification.
func (s *Subscription) match(e Event) (Event, bool) {
	inDir := s.dirs[fsroot.Parent(e.Path)]
	switch e.Op {
	case api.FileEvent_Create:
		if inDir {
			return e, true
		}
		if s.files[e.Path] {
			return Event{Op: api.FileEvent_Modify, Path: e.Path, Dir: e.Dir}, true
		}
	case api.FileEvent_Remove:
		return e, inDir || s.files[e.Path]
	case api.FileEvent_Modify:
		return e, s.files[e.Path]
	case api.FileEvent_Move:
		if inDir || s.dirs[fsroot.Parent(e.Dest)] || s.files[e.Path] {
			return e, true
		}
		if s.files[e.Dest] {
			return Event{Op: api.FileEvent_Modify, Path: e.Dest, Dir: e.Dir}, true
		}
	}
	return Event{}, false
}
