// Package audiotest writes audio files for tests, with the same libraries
// pid1 decodes with (go-audio, mewkiz/flac) and with Debian's encoders for
// the lossy formats (lame, oggenc), and measures what comes back.
package audiotest

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/go-audio/aiff"
	"github.com/go-audio/audio"
	"github.com/go-audio/wav"
	"github.com/mewkiz/flac"
	"github.com/mewkiz/flac/frame"
	"github.com/mewkiz/flac/meta"
)

// Tone describes a sine wave to write.
type Tone struct {
	Hz       float64 // frequency; 0 writes silence
	Seconds  float64
	Rate     int     // sample rate; 0 means 44,100
	Bits     int     // 8, 16, 24 or 32; 0 means 16
	Channels int     // 0 means 1
	Amp      float64 // peak as a fraction of full scale; 0 means 0.5
	// Invert writes the second channel upside down (a stereo file whose
	// channels cancel when mixed to one).
	Invert bool
}

func (t Tone) withDefaults() Tone {
	if t.Rate == 0 {
		t.Rate = 44100
	}
	if t.Bits == 0 {
		t.Bits = 16
	}
	if t.Channels == 0 {
		t.Channels = 1
	}
	if t.Amp == 0 {
		t.Amp = 0.5
	}
	return t
}

// Frames is how many sample frames the tone has.
func (t Tone) Frames() int { t = t.withDefaults(); return int(math.Round(t.Seconds * float64(t.Rate))) }

// samples is the tone as signed integers of t.Bits bits, interleaved.
func (t Tone) samples() []int {
	t = t.withDefaults()
	peak := t.Amp * float64(int64(1)<<(t.Bits-1)-1)
	n := t.Frames()
	out := make([]int, 0, n*t.Channels)
	for i := range n {
		v := int(math.Round(peak * math.Sin(2*math.Pi*t.Hz*float64(i)/float64(t.Rate))))
		for c := range t.Channels {
			if t.Invert && c == 1 {
				out = append(out, -v)
				continue
			}
			out = append(out, v)
		}
	}
	return out
}

// WAV writes t as an integer PCM WAV file at path.
func WAV(tb testing.TB, path string, t Tone) {
	tb.Helper()
	t = t.withDefaults()
	data := t.samples()
	if t.Bits == 8 {
		for i := range data {
			data[i] += 128 // WAV's 8-bit samples are unsigned
		}
	}
	f := create(tb, path)
	enc := wav.NewEncoder(f, t.Rate, t.Bits, t.Channels, 1)
	buf := &audio.IntBuffer{Data: data, Format: &audio.Format{NumChannels: t.Channels, SampleRate: t.Rate}, SourceBitDepth: t.Bits}
	if err := enc.Write(buf); err != nil {
		tb.Fatal(err)
	}
	closeAll(tb, enc.Close, f.Close)
}

// AIFF writes t as an AIFF file at path.
func AIFF(tb testing.TB, path string, t Tone) {
	tb.Helper()
	t = t.withDefaults()
	data := t.samples()
	if t.Bits == 8 {
		for i := range data {
			data[i] = int(uint8(int8(data[i]))) // the encoder takes the byte as stored
		}
	}
	f := create(tb, path)
	enc := aiff.NewEncoder(f, t.Rate, t.Bits, t.Channels)
	buf := &audio.IntBuffer{Data: data, Format: &audio.Format{NumChannels: t.Channels, SampleRate: t.Rate}, SourceBitDepth: t.Bits}
	if err := enc.Write(buf); err != nil {
		tb.Fatal(err)
	}
	closeAll(tb, enc.Close, f.Close)
}

// FLAC writes t as a FLAC file at path (verbatim subframes, which the
// encoder turns into whatever predicts best).
func FLAC(tb testing.TB, path string, t Tone) {
	tb.Helper()
	t = t.withDefaults()
	data := t.samples()
	n := t.Frames()
	f := create(tb, path)
	info := &meta.StreamInfo{BlockSizeMin: 4096, BlockSizeMax: 4096, SampleRate: uint32(t.Rate),
		NChannels: uint8(t.Channels), BitsPerSample: uint8(t.Bits), NSamples: uint64(n)}
	enc, err := flac.NewEncoder(f, info)
	if err != nil {
		tb.Fatal(err)
	}
	layout := frame.ChannelsMono
	if t.Channels == 2 {
		layout = frame.ChannelsLR
	}
	for off := 0; off < n; off += 4096 {
		size := min(4096, n-off)
		fr := &frame.Frame{Header: frame.Header{HasFixedBlockSize: true, BlockSize: uint16(size),
			SampleRate: uint32(t.Rate), Channels: layout, BitsPerSample: uint8(t.Bits)}}
		for c := range t.Channels {
			s := make([]int32, size)
			for i := range s {
				s[i] = int32(data[(off+i)*t.Channels+c])
			}
			fr.Subframes = append(fr.Subframes, &frame.Subframe{SubHeader: frame.SubHeader{Pred: frame.PredVerbatim},
				Samples: s, NSamples: size})
		}
		if err := enc.WriteFrame(fr); err != nil {
			tb.Fatal(err)
		}
	}
	closeAll(tb, enc.Close) // which closes f
}

// MP3 writes t as an MP3 file at path with lame (Debian's lame, which
// scripts/test-deps.sh installs).
func MP3(tb testing.TB, path string, t Tone) {
	tb.Helper()
	encode(tb, path, t, "lame", "--quiet", "-b", "192")
}

// Ogg writes t as an Ogg Vorbis file at path with oggenc (Debian's
// vorbis-tools, which scripts/test-deps.sh installs).
func Ogg(tb testing.TB, path string, t Tone) {
	tb.Helper()
	encode(tb, path, t, "oggenc", "--quiet", "-q", "6")
}

// encode writes t as a 16-bit WAV and has an encoder turn it into path.
func encode(tb testing.TB, path string, t Tone, prog string, flags ...string) {
	tb.Helper()
	bin, err := exec.LookPath(prog)
	if err != nil {
		tb.Fatalf("%s is not installed: scripts/test-deps.sh installs it (make test does)", prog)
	}
	t.Bits = 16
	src := filepath.Join(tb.TempDir(), "source.wav")
	WAV(tb, src, t)
	args := append(append([]string{}, flags...), src)
	if prog == "oggenc" {
		args = append(args, "-o", path)
	} else {
		args = append(args, path)
	}
	if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		tb.Fatalf("%s: %v\n%s", prog, err, out)
	}
}

func create(tb testing.TB, path string) *os.File {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

func closeAll(tb testing.TB, fns ...func() error) {
	tb.Helper()
	for _, fn := range fns {
		if err := fn(); err != nil {
			tb.Fatal(err)
		}
	}
}

// Frequency estimates the frequency of a tone sampled at rate by counting
// its rising crossings, with hysteresis (from below a quarter of its peak
// to above it) so that the noise of lossy codecs in quiet parts does not
// count.
func Frequency(samples []int32, rate int) float64 {
	th := int64(Peak(samples) * math.MaxInt32 / 4)
	first, last, count := -1, -1, 0
	low := false
	for i, s := range samples {
		switch {
		case int64(s) < -th:
			low = true
		case int64(s) > th && low:
			low = false
			if first < 0 {
				first = i
			} else {
				count++
			}
			last = i
		}
	}
	if count == 0 {
		return 0
	}
	return float64(count) * float64(rate) / float64(last-first)
}

// Peak is the largest absolute sample, as a fraction of full scale.
func Peak(samples []int32) float64 {
	var p float64
	for _, s := range samples {
		p = max(p, math.Abs(float64(s)))
	}
	return p / math.MaxInt32
}

// Rate estimates samples per second of wall time from when each message
// arrived and how many samples it held: the median of the slopes between
// every pair of messages (Theil–Sen), so that a few messages a loaded
// machine delivered late do not skew it, as they skew a least-squares
// line. The first message is left out: playback starts with two at once
// (the listener's spare).
func Rate(at []time.Time, samples []int) float64 {
	if len(at) < 3 {
		return 0
	}
	xs := make([]float64, 0, len(at)-1)
	ys := make([]float64, 0, len(at)-1)
	cum := 0
	for i := 1; i < len(at); i++ {
		cum += samples[i]
		xs = append(xs, at[i].Sub(at[1]).Seconds())
		ys = append(ys, float64(cum))
	}
	var slopes []float64
	for i := range xs {
		for j := i + 1; j < len(xs); j++ {
			if dx := xs[j] - xs[i]; dx > 0 {
				slopes = append(slopes, (ys[j]-ys[i])/dx)
			}
		}
	}
	if len(slopes) == 0 {
		return 0
	}
	slices.Sort(slopes)
	return slopes[len(slopes)/2]
}
