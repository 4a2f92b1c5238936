package audio

import (
	"encoding/json"
	"os"
	"path/filepath"
	"time"
)

// status is audioStatus.json.
type status struct {
	Sources  []sourceStatus
	Running  bool // something is playing
	Disabled bool // the player has stopped (pid1 is shutting down)
}

// sourceStatus is one source in the status file. FileType is the seed
// document's name for the format; Type and Request are what Replit's
// Python library reads.
type sourceStatus struct {
	Name      string
	FileType  string
	Type      string
	Volume    float64
	Duration  int64 // ms, one play-through
	Remaining int64 // ms, repeats to come included
	Paused    bool
	Loop      int // repeats to come; negative: forever
	ID        int
	EndTime   stamp
	StartTime stamp
	Request   json.RawMessage
}

// stamp is a time in UTC that always prints nine digits of fraction:
// Replit's Python library drops the last four characters and parses the
// rest with %f, which Go's default form (trailing zeros trimmed, or no
// fraction at all) breaks.
type stamp time.Time

func (s stamp) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(s).UTC().Format("2006-01-02T15:04:05.000000000Z") + `"`), nil
}

func (s source) status(now time.Time) sourceStatus {
	left := s.remaining()
	return sourceStatus{
		Name: s.name, FileType: s.format, Type: s.format, Volume: s.volume,
		Duration: s.duration.Milliseconds(), Remaining: left.Milliseconds(),
		Paused: s.paused, Loop: s.loops, ID: s.id,
		StartTime: stamp(s.started), EndTime: stamp(now.Add(left)),
		Request: s.request,
	}
}

// writeFileAtomic replaces path with data: readers see the old file or the
// new one, never a part of either.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
