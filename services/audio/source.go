package audio

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"time"

	"github.com/pid1/pid1/internal/audiofile"
)

// stream is a source's samples, mono at 44,100 Hz, full scale.
type stream interface {
	Read(dst []int32) (int, error)
	Close() error
}

// source is one sound being played. Its fields are guarded by the
// player's mutex.
type source struct {
	id       int
	name     string
	format   string // wav, aiff, mp3, flac, ogg or tone
	request  json.RawMessage
	open     func() (stream, error) // a fresh stream from the start, for each repeat
	st       stream
	duration time.Duration // of one play-through
	volume   float64
	paused   bool
	loops    int   // repeats still to come; negative: forever
	pos      int64 // samples of this play-through mixed so far
	started  time.Time
	done     bool
	buf      []int32
}

// read fills s.buf with up to n samples, starting the next repeat when a
// play-through ends, and reports how many it got. A source that has
// played out (or failed) is marked done.
func (s *source) read(n int) int {
	if cap(s.buf) < n {
		s.buf = make([]int32, n)
	}
	s.buf = s.buf[:n]
	got := 0
	for got < n && !s.done {
		k, err := s.st.Read(s.buf[got:])
		got += k
		s.pos += int64(k)
		switch {
		case err == nil:
		case errors.Is(err, io.EOF) && s.loops != 0:
			s.st.Close()
			st, err := s.open()
			if err != nil {
				s.done = true
				break
			}
			s.st, s.pos = st, 0
			if s.loops > 0 {
				s.loops--
			}
			if k == 0 && s.duration == 0 {
				s.done = true // an empty file would repeat forever without a sample
			}
		default:
			s.done = true
		}
	}
	s.buf = s.buf[:got]
	return got
}

// remaining is how long the source has still to play, the repeats still
// to come included (an endless one counts its current play-through).
func (s *source) remaining() time.Duration {
	left := s.duration - time.Duration(s.pos)*time.Second/audiofile.Rate
	left = max(left, 0)
	if s.loops > 0 {
		left += time.Duration(s.loops) * s.duration
	}
	return left
}

// maxToneSeconds bounds a tone's length.
const maxToneSeconds = 3600

// tone is a generated wave (the library form's WaveType: 0 sine, 1
// triangle, 2 saw, 3 square) at half of full scale, its phase kept across
// reads so that chunks join without clicks.
type tone struct {
	pitch float64
	wave  int
	left  int // samples still to play
	phase float64
}

func newTone(a args) *tone {
	return &tone{pitch: a.Pitch, wave: a.WaveType, left: int(a.Seconds * audiofile.Rate)}
}

func (t *tone) Read(dst []int32) (int, error) {
	if t.left == 0 {
		return 0, io.EOF
	}
	n := min(len(dst), t.left)
	step := t.pitch / audiofile.Rate
	for i := range n {
		var v float64
		switch t.wave {
		case 0:
			v = math.Sin(2 * math.Pi * t.phase)
		case 1:
			v = 1 - 4*math.Abs(t.phase-0.5)
		case 2:
			v = 2*t.phase - 1
		case 3:
			v = 1
			if t.phase >= 0.5 {
				v = -1
			}
		}
		dst[i] = int32(v * math.MaxInt32 / 2)
		t.phase += step
		t.phase -= math.Floor(t.phase)
	}
	t.left -= n
	return n, nil
}

func (t *tone) Close() error { return nil }
