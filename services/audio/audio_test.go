package audio_test

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/internal/audiofile"
	"github.com/pid1/pid1/services/audio"
	"github.com/pid1/pid1/test/kit/audiotest"
	"github.com/pid1/pid1/test/kit/servicetest"
)

const n = audio.DefaultChunk

// A 1 s 440 Hz WAV, played three times (LoopCount 2), reaches the
// listener at 44,100 samples per second of wall time, exactly the file's
// samples, at 440 Hz.
func TestPlaysInRealTime(t *testing.T) {
	r := newRig(t)
	f := r.tone(t, "a440.wav", audiotest.Tone{Hz: 440, Seconds: 1})
	r.play(t, f, map[string]any{"DoesLoop": true, "LoopCount": 2})
	ms := r.receive(t, 3*44100, 10*time.Second)

	once := decode(t, filepath.Join(r.ws, f))
	want := slices.Concat(once, once, once)
	if got := samples(ms); !slices.Equal(got, want) {
		t.Fatalf("the listener's samples differ from the file's (%d, want %d)", len(got), len(want))
	}
	if hz := audiotest.Frequency(samples(ms), audiofile.Rate); math.Abs(hz-440) > 2 {
		t.Errorf("%.2f Hz at the listener, want 440", hz)
	}
	if len(ms[0].data) != n || len(ms[1].data) != n || ms[1].at.Sub(ms[0].at) > 45*time.Millisecond {
		t.Errorf("playback did not start with two chunks at once (the listener's spare): %d and %d samples %v apart",
			len(ms[0].data), len(ms[1].data), ms[1].at.Sub(ms[0].at))
	}
	var at []time.Time
	var counts []int
	for _, m := range ms {
		at, counts = append(at, m.at), append(counts, len(m.data))
	}
	rate := audiotest.Rate(at, counts)
	span := ms[len(ms)-1].at.Sub(ms[0].at)
	t.Logf("%d messages over %v: %.1f samples/s at the listener (the median slope between messages, from the second on)", len(ms), span, rate)
	if math.Abs(rate-44100) > 441 {
		t.Errorf("%.1f samples per second of wall time, want 44,100 ± 1%%", rate)
	}
}

// Two sources are summed; the second joins at a chunk boundary.
func TestTwoSourcesMix(t *testing.T) {
	r := newRig(t)
	a := r.tone(t, "a.wav", audiotest.Tone{Hz: 440, Seconds: 0.5, Amp: 0.3})
	b := r.tone(t, "b.wav", audiotest.Tone{Hz: 660, Seconds: 0.2, Amp: 0.3})
	r.play(t, a, nil)
	r.play(t, b, nil)
	got := samples(r.receive(t, 22050, 10*time.Second))
	as, bs := decode(t, filepath.Join(r.ws, a)), decode(t, filepath.Join(r.ws, b))
	for j := 0; j*n < len(as); j++ {
		want := slices.Clone(as)
		for i, v := range bs {
			want[j*n+i] += v
		}
		if slices.Equal(got, want) {
			t.Logf("b joined at chunk %d", j)
			return
		}
	}
	t.Fatal("the listener's samples are not a + b at any chunk boundary")
}

// Loud sources clip at full scale instead of wrapping around to the other
// sign; Volume scales a source.
func TestMixClipsAndScales(t *testing.T) {
	r := newRig(t)
	f := r.tone(t, "loud.wav", audiotest.Tone{Hz: 440, Seconds: 0.5, Amp: 0.9})
	// The second source joins at a chunk boundary of the first, the same
	// sine: the mix keeps its sign wherever the file has one.
	r.request(t, `{"File": "loud.wav"}{"File": "loud.wav", "Volume": 2}`)
	got := samples(r.receive(t, 22050, 10*time.Second))
	src := decode(t, filepath.Join(r.ws, f))
	clipped := 0
	for i, v := range got {
		if src[i] != 0 && v != 0 && (v > 0) != (src[i] > 0) {
			t.Fatalf("sample %d: %d from a source at %d: wrapped around", i, v, src[i])
		}
		if v == math.MaxInt32 || v == math.MinInt32 {
			clipped++
		}
	}
	if clipped == 0 {
		t.Fatal("0.9 + 2 × 0.9 of full scale never clipped")
	}
	// The second source alone would be 1.8: doubled means clipped too.
	if p := audiotest.Peak(got); p < 0.99 {
		t.Fatalf("peak %.3f", p)
	}
}

// Pausing stops the audio; resuming goes on from where it stopped, so the
// listener gets exactly the file, once.
func TestPauseAndResume(t *testing.T) {
	r := newRig(t)
	f := r.tone(t, "long.wav", audiotest.Tone{Hz: 440, Seconds: 2})
	r.play(t, f, nil)
	first := r.receive(t, 8*n, 10*time.Second)
	r.request(t, `{"ID": 1, "Paused": true}`)
	r.waitStatus(t, "the source paused", func(s statusFile) bool { return len(s.Sources) == 1 && s.Sources[0].Paused && !s.Running })
	// What was sent before the pause took effect is still in flight.
	var inFlight []msg
	for settled := false; !settled; {
		select {
		case c := <-r.ch.Stream():
			inFlight = append(inFlight, msg{time.Now(), c.GetAudio().GetData()})
		case <-time.After(200 * time.Millisecond):
			settled = true
		}
	}
	r.quiet(t, 500*time.Millisecond)
	paused := r.status(t).Sources[0].Remaining
	r.request(t, `{"ID": 1, "Paused": false}`)
	had := len(samples(first)) + len(samples(inFlight))
	rest := r.receive(t, 2*44100-had, 10*time.Second)
	if len(rest[0].data) != n || len(rest[1].data) != n || rest[1].at.Sub(rest[0].at) > 25*time.Millisecond {
		t.Errorf("resuming did not prime the listener with two chunks at once")
	}
	got := slices.Concat(samples(first), samples(inFlight), samples(rest))
	if !slices.Equal(got, decode(t, filepath.Join(r.ws, f))) {
		t.Fatal("after pause and resume the listener's samples are not the file's")
	}
	if paused < 500 || paused > 1800 {
		t.Errorf("Remaining while paused: %d ms", paused)
	}
	r.waitStatus(t, "the source gone", func(s statusFile) bool { return len(s.Sources) == 0 && !s.Running })
}

// LoopCount repeats a file that many more times, and the status file
// counts the repeats down.
func TestLoopCount(t *testing.T) {
	r := newRig(t)
	// A play-through of 1 s leaves the status file's Loop 1 long enough
	// to be seen on a loaded machine.
	f := r.tone(t, "short.wav", audiotest.Tone{Hz: 440, Seconds: 1})
	r.play(t, f, map[string]any{"DoesLoop": true, "LoopCount": 2})
	st := r.waitStatus(t, "the source", func(s statusFile) bool { return len(s.Sources) == 1 })
	if st.Sources[0].Loop != 2 {
		t.Errorf("Loop %d at the start, want 2", st.Sources[0].Loop)
	}
	r.waitStatus(t, "Loop 1", func(s statusFile) bool { return len(s.Sources) == 1 && s.Sources[0].Loop == 1 })
	r.receive(t, 3*44100, 10*time.Second)
	r.quiet(t, 300*time.Millisecond)
	r.waitStatus(t, "the source gone", func(s statusFile) bool { return len(s.Sources) == 0 })

	// An edit can stop an endless loop.
	r.play(t, f, map[string]any{"DoesLoop": true, "LoopCount": -1})
	r.receive(t, 44100+n, 10*time.Second) // into the second play-through
	r.request(t, `{"ID": 2, "DoesLoop": false}`)
	st = r.waitStatus(t, "the source gone", func(s statusFile) bool { return len(s.Sources) == 0 })
	if st.Running {
		t.Errorf("Running with no source: %s", st.raw)
	}
}

// The status file describes each source as the seed document says, and
// follows every change.
func TestStatusFile(t *testing.T) {
	r := newRig(t)
	st := r.status(t)
	if len(st.Sources) != 0 || st.Running || st.Disabled {
		t.Fatalf("at start: %s", st.raw)
	}
	f := r.tone(t, "status.wav", audiotest.Tone{Hz: 440, Seconds: 1})
	before := time.Now()
	r.play(t, f, map[string]any{"Volume": 0.5, "Name": "my sound"})
	st = r.waitStatus(t, "a source", func(s statusFile) bool { return len(s.Sources) == 1 })
	s := st.Sources[0]
	if s.Name != "my sound" || s.FileType != "wav" || s.Volume != 0.5 || s.Duration != 1000 || s.ID != 1 ||
		s.Paused || s.Loop != 0 || !st.Running || st.Disabled || s.Request["File"] != f {
		t.Errorf("playing: %s", st.raw)
	}
	if s.Remaining <= 0 || s.Remaining > 1000 {
		t.Errorf("Remaining %d", s.Remaining)
	}
	start, err1 := time.Parse(time.RFC3339Nano, s.StartTime)
	end, err2 := time.Parse(time.RFC3339Nano, s.EndTime)
	if err1 != nil || err2 != nil || start.Before(before.Add(-time.Second)) || end.Sub(start) < 900*time.Millisecond || end.Sub(start) > 1500*time.Millisecond {
		t.Errorf("times %s → %s (%v %v)", s.StartTime, s.EndTime, err1, err2)
	}
	for _, ts := range []string{s.StartTime, s.EndTime} {
		// Nine digits of fraction, always: Replit's Python library cuts
		// four characters off the end and parses %f.
		if len(ts) != len("2020-04-23T22:30:46.486250072Z") || !strings.HasSuffix(ts, "Z") {
			t.Errorf("time %q is not in the form 2020-04-23T22:30:46.486250072Z", ts)
		}
	}
	r.waitStatus(t, "Remaining counting down", func(st statusFile) bool {
		return len(st.Sources) == 1 && st.Sources[0].Remaining < s.Remaining-100
	})

	r.request(t, `{"ID": 1, "Volume": 2, "Paused": true, "DoesLoop": true, "LoopCount": 3}`)
	st = r.waitStatus(t, "the edit", func(st statusFile) bool { return len(st.Sources) == 1 && st.Sources[0].Paused })
	if s := st.Sources[0]; s.Volume != 2 || s.Loop != 3 || st.Running {
		t.Errorf("after the edit: %s", st.raw)
	}
	r.request(t, `{"ID": 1, "Paused": false, "DoesLoop": false}`)
	st = r.waitStatus(t, "the end", func(st statusFile) bool { return len(st.Sources) == 0 })
	if st.Running || st.Disabled {
		t.Errorf("after the end: %s", st.raw)
	}
	r.p.Close()
	if st := r.status(t); !st.Disabled || st.Running || len(st.Sources) != 0 {
		t.Errorf("after Close: %s", st.raw)
	}
	if _, err := os.Lstat(r.p.Pipe()); !os.IsNotExist(err) {
		t.Errorf("the pipe outlived Close: %v", err)
	}
}

// Garbage, a missing file, a file that is not audio and an unsupported
// format are ignored: nothing is sent, no ID is used up, and the next
// good request plays.
func TestBadRequestsAreIgnored(t *testing.T) {
	r := newRig(t)
	os.WriteFile(filepath.Join(r.ws, "notes.txt"), []byte("la la la\n"), 0o644)
	float := []byte("RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x03\x00\x01\x00\x44\xac\x00\x00\x10\xb1\x02\x00\x04\x00\x20\x00data\x00\x00\x00\x00")
	os.WriteFile(filepath.Join(r.ws, "float.wav"), float, 0o644)
	for _, bad := range []string{
		"hello there\n",
		`{"File": "missing.wav"}`,
		`{"File": "notes.txt"}`,
		`{"File": "float.wav"}`,
		`{"File": "` + r.ws + `"}`,
		`{"Volume": 2}`,
		`{"File": "a.wav", "Volume": -1}`,
		`{"ID": 7, "Paused": true}`,
		`{"Type": "tone", "Args": {"Pitch": 440, "Seconds": 0}}`,
		`{"File": 5}`,
		`[1, 2, 3]`,
		// A document cut short waits for its end, which the next write
		// brings: "unterminated\n" is then a missing file.
		`{"File": "unterminated`,
		"\n\"}",
	} {
		r.request(t, bad)
	}
	r.quiet(t, 300*time.Millisecond)
	if st := r.status(t); len(st.Sources) != 0 || st.Running {
		t.Fatalf("after bad requests: %s", st.raw)
	}
	f := r.tone(t, "ok.wav", audiotest.Tone{Hz: 440, Seconds: 0.1})
	r.play(t, f, nil)
	r.receive(t, 4410, 10*time.Second)
	r.waitStatus(t, "the good source gone", func(s statusFile) bool { return len(s.Sources) == 0 })
	r.play(t, f, nil)
	st := r.waitStatus(t, "a second source", func(s statusFile) bool { return len(s.Sources) == 1 })
	if st.Sources[0].ID != 2 {
		t.Errorf("the second good request got ID %d, want 2 (bad ones use no ID)", st.Sources[0].ID)
	}
	r.receive(t, 4410, 10*time.Second)
}

// A tone request (the library form) plays the wave for its length.
func TestTone(t *testing.T) {
	r := newRig(t)
	r.request(t, `{"Type": "tone", "Name": "beep", "Args": {"Pitch": 440, "Seconds": 0.5, "WaveType": 3}}`)
	got := samples(r.receive(t, 22050, 10*time.Second))
	if hz := audiotest.Frequency(got, audiofile.Rate); math.Abs(hz-440) > 2 {
		t.Errorf("%.2f Hz", hz)
	}
}

// The audio channel takes no commands; it says how to play sound.
func TestChannelRefusesCommands(t *testing.T) {
	r := newRig(t)
	reply := servicetest.Request(t, r.ch, &api.Command{Body: &api.Command_Input{Input: "x"}})
	if !strings.Contains(reply.GetError(), "audio takes no commands (not input)") || !strings.Contains(reply.GetError(), r.p.Pipe()) {
		t.Fatalf("%v", reply)
	}
}

// Without a player, an audio channel opens (a refused openChan would end
// a crosis client's connection) and says why it stays silent, on attach
// and to each command.
func TestOffSaysWhy(t *testing.T) {
	url := servicetest.Serve(t, audio.Descriptor(nil, errors.New("/nowhere is not writable")))
	ch := servicetest.Open(t, url("ada"), "audio", "")
	const want = "audio is off: /nowhere is not writable"
	if cmd := servicetest.Next(t, ch); cmd.GetError() != want {
		t.Fatalf("on attach: %v", cmd)
	}
	if r := servicetest.Request(t, ch, &api.Command{Body: &api.Command_Input{Input: "x"}}); r.GetError() != want {
		t.Fatalf("a command: %v", r)
	}
}
