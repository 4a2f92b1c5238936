package fswatch

import "github.com/pid1/pid1/api"

// Op is what happened to a path.
type Op = api.FileEvent_Op

// Event is one logical change, with paths as clients spell them.
type Event struct {
	Op   Op
	Path string
	Dest string // for Move
	Dir  bool   // whether Path (or Dest, for a Move) is a directory
}

// Proto is the event as the protocol's FileEvent.
func (e Event) Proto() *api.FileEvent {
	fe := &api.FileEvent{Op: e.Op, File: &api.File{Path: e.Path, Type: fileType(e.Dir)}}
	if e.Op == api.FileEvent_Move {
		fe.Dest = &api.File{Path: e.Dest, Type: fileType(e.Dir)}
	}
	return fe
}

func fileType(dir bool) api.File_Type {
	if dir {
		return api.File_DIRECTORY
	}
	return api.File_REGULAR
}

// coalesce reduces a burst to the events a client needs to reach the same
// final state: a Modify after a Create or a Modify of the same path is
// dropped, a path created and removed within the burst is not reported,
// and a Remove replaces a Modify before it.
func coalesce(evs []Event) []Event {
	out := make([]Event, 0, len(evs))
	last := map[string]int{} // path -> index in out of its latest event
	for _, e := range evs {
		i, seen := last[e.Path]
		if seen && out[i].Path != e.Path {
			seen = false // out[i] is a Move whose Dest is e.Path
		}
		switch {
		case e.Op == api.FileEvent_Modify && seen && (out[i].Op == api.FileEvent_Create || out[i].Op == api.FileEvent_Modify):
			continue
		case e.Op == api.FileEvent_Modify && !seen && destSeen(out, last, e.Path):
			continue // modified right after being moved here
		case e.Op == api.FileEvent_Remove && seen && out[i].Op == api.FileEvent_Create:
			out[i].Op = -1 // created and removed: nothing to report
			delete(last, e.Path)
			continue
		case e.Op == api.FileEvent_Remove && seen && out[i].Op == api.FileEvent_Modify:
			out[i].Op = -1
		}
		out = append(out, e)
		last[e.Path] = len(out) - 1
		if e.Op == api.FileEvent_Move {
			last[e.Dest] = len(out) - 1
			delete(last, e.Path)
		}
	}
	kept := out[:0]
	for _, e := range out {
		if e.Op != -1 {
			kept = append(kept, e)
		}
	}
	return kept
}

func destSeen(out []Event, last map[string]int, p string) bool {
	i, ok := last[p]
	return ok && out[i].Op == api.FileEvent_Move && out[i].Dest == p
}
