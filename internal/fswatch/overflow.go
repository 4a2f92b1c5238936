package fswatch

import (
	"sort"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/internal/fsroot"
)

// overflow tells every subscription that events were lost, then rescans
// the watched directories and delivers the differences, so that clients
// still reach the final state.
func (w *Watcher) overflow() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for s := range w.subs {
		s.deliver(nil, errOverflow)
	}
	var evs []Event
	dirs := make([]string, 0, len(w.dirs))
	for p := range w.dirs {
		dirs = append(dirs, p)
	}
	sort.Strings(dirs)
	for _, p := range dirs {
		d := w.dirs[p]
		now := w.list(p)
		for _, name := range sortedKeys(d.entries) {
			if _, still := now[name]; !still {
				evs = append(evs, Event{Op: api.FileEvent_Remove, Path: fsroot.Join(p, name), Dir: d.entries[name]})
			}
		}
		for _, name := range sortedKeys(now) {
			if _, was := d.entries[name]; !was {
				evs = append(evs, Event{Op: api.FileEvent_Create, Path: fsroot.Join(p, name), Dir: now[name]})
			}
		}
		for name, old := range d.stamps {
			fp := fsroot.Join(p, name)
			info, exists, err := w.ws.Stat(fp)
			_, was := d.entries[name]
			if err == nil && exists && was && (info.Size != old.size || !info.ModTime.Equal(old.mtime)) {
				evs = append(evs, Event{Op: api.FileEvent_Modify, Path: fp})
			}
		}
		d.entries = now
	}
	w.dispatch(evs)
}

func sortedKeys(m map[string]bool) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
