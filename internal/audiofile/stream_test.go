package audiofile_test

import (
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/pid1/pid1/internal/audiofile"
	"github.com/pid1/pid1/test/kit/audiotest"
)

// readAll decodes a whole file.
func readAll(t *testing.T, path string) (*audiofile.Stream, []int32) {
	t.Helper()
	s, err := audiofile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var out []int32
	buf := make([]int32, 1000) // not a divisor of any chunk, to cross every boundary
	for {
		n, err := s.Read(buf)
		out = append(out, buf[:n]...)
		if errors.Is(err, io.EOF) {
			return s, out
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// Every format, depth, layout and common rate comes out at 44,100 Hz, as
// long as the file, at the tone's pitch and loudness.
func TestFormatsDecodeToMono44100(t *testing.T) {
	type writer func(testing.TB, string, audiotest.Tone)
	cases := []struct {
		name   string
		write  writer
		tone   audiotest.Tone
		format string
		lossy  bool
	}{
		{"wav8", audiotest.WAV, audiotest.Tone{Bits: 8}, "wav", false},
		{"wav16", audiotest.WAV, audiotest.Tone{Bits: 16}, "wav", false},
		{"wav24stereo", audiotest.WAV, audiotest.Tone{Bits: 24, Channels: 2}, "wav", false},
		{"wav32", audiotest.WAV, audiotest.Tone{Bits: 32}, "wav", false},
		{"wav16at22050", audiotest.WAV, audiotest.Tone{Rate: 22050}, "wav", false},
		{"wav16at48000stereo", audiotest.WAV, audiotest.Tone{Rate: 48000, Channels: 2}, "wav", false},
		{"wav16at8000", audiotest.WAV, audiotest.Tone{Rate: 8000}, "wav", false},
		{"aiff8", audiotest.AIFF, audiotest.Tone{Bits: 8}, "aiff", false},
		{"aiff16stereo", audiotest.AIFF, audiotest.Tone{Channels: 2}, "aiff", false},
		{"aiff24at96000", audiotest.AIFF, audiotest.Tone{Bits: 24, Rate: 96000}, "aiff", false},
		{"aiff32", audiotest.AIFF, audiotest.Tone{Bits: 32}, "aiff", false},
		{"flac16stereo", audiotest.FLAC, audiotest.Tone{Channels: 2}, "flac", false},
		{"flac24at48000", audiotest.FLAC, audiotest.Tone{Bits: 24, Rate: 48000}, "flac", false},
		{"mp3", audiotest.MP3, audiotest.Tone{}, "mp3", true},
		{"mp3at48000stereo", audiotest.MP3, audiotest.Tone{Rate: 48000, Channels: 2}, "mp3", true},
		{"ogg", audiotest.Ogg, audiotest.Tone{}, "ogg", true},
		{"ogg22050stereo", audiotest.Ogg, audiotest.Tone{Rate: 22050, Channels: 2}, "ogg", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			tone := c.tone
			tone.Hz, tone.Seconds, tone.Amp = 440, 1, 0.5
			path := filepath.Join(t.TempDir(), "tone")
			c.write(t, path, tone)
			s, got := readAll(t, path)
			if s.Format != c.format {
				t.Errorf("format %q, want %q", s.Format, c.format)
			}
			wantLen := 44100.0
			slack := 2.0 // the resampler's last interpolated samples
			if c.lossy {
				slack = 4000 // encoder delay and padding (lame adds a silent frame of 1152, its delay and padding)
			}
			if math.Abs(float64(len(got))-wantLen) > slack {
				t.Errorf("%d samples, want %v ± %v", len(got), wantLen, slack)
			}
			if d := s.Duration().Seconds(); math.Abs(d-1) > 0.1 {
				t.Errorf("duration %vs, want 1s", d)
			}
			if f := audiotest.Frequency(got, audiofile.Rate); math.Abs(f-440) > 2 {
				t.Errorf("frequency %.2f Hz, want 440", f)
			}
			if p := audiotest.Peak(got); math.Abs(p-0.5) > 0.03 {
				t.Errorf("peak %.3f of full scale, want 0.5", p)
			}
		})
	}
}

// A stereo file's channels are averaged: opposite channels cancel out,
// where summing would not, and one silent channel halves the level.
func TestChannelsAreAveraged(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "opposed.wav")
	audiotest.WAV(t, path, audiotest.Tone{Hz: 440, Seconds: 0.2, Channels: 2, Invert: true, Amp: 0.9})
	_, got := readAll(t, path)
	if p := audiotest.Peak(got); p > 1e-4 {
		t.Fatalf("channels in opposite phase left a peak of %.5f", p)
	}
}

// Unusable files are refused with a reason, without a panic.
func TestUnusableFilesAreRefused(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	floatWAV := wavHeader(3, 1, 44100, 32, 400)
	cases := map[string]struct {
		path        string
		unsupported bool
	}{
		"empty":          {write("empty", nil), true},
		"text":           {write("notes.txt", []byte("la la la, this is not a song\n")), true},
		"float wav":      {write("float.wav", append(floatWAV, make([]byte, 400)...)), true},
		"truncated wav":  {write("trunc.wav", wavHeader(1, 2, 44100, 16, 0)[:30]), false},
		"riff only":      {write("riff.wav", []byte("RIFF\x00\x00\x00\x00WAVE")), false},
		"bad flac":       {write("x.flac", []byte("fLaC\x00\x00\x00\x22garbage")), false},
		"bad ogg":        {write("x.ogg", []byte("OggS\x00\x02garbage-garbage-garbage")), false},
		"bad aiff":       {write("x.aiff", []byte("FORM\x00\x00\x00\x04AIFF")), false},
		"zero rate wav":  {write("zero.wav", append(wavHeader(1, 1, 0, 16, 4), 0, 0, 0, 0)), false},
		"9-bit wav":      {write("nine.wav", append(wavHeader(1, 1, 44100, 12, 4), 0, 0, 0, 0)), true},
		"directory":      {dir, false},
		"missing":        {filepath.Join(dir, "nope.wav"), false},
		"id3 then junk":  {write("junk.mp3", append([]byte("ID3\x04\x00\x00\x00\x00\x00\x02"), []byte("zzzzzzzzzzzz")...)), false},
		"mpeg sync junk": {write("sync.mp3", []byte{0xFF, 0xFB, 0x00, 0x00, 1, 2, 3}), false},
	}
	for name, c := range cases {
		s, err := audiofile.Open(c.path)
		if err == nil {
			// Some headers pass; then decoding must end with an error or
			// at once, never panic or run on.
			buf := make([]int32, 4096)
			total := 0
			for err == nil && total < 10*44100 {
				var n int
				n, err = s.Read(buf)
				total += n
			}
			s.Close()
			if err == nil {
				t.Errorf("%s: decoded more than 10 s of audio", name)
			}
			continue
		}
		if c.unsupported && !errors.Is(err, audiofile.ErrUnsupported) {
			t.Errorf("%s: %v, want ErrUnsupported", name, err)
		}
	}
}

// wavHeader is a canonical 44-byte WAV header.
func wavHeader(format, channels, rate, bits, dataLen int) []byte {
	b := make([]byte, 44)
	copy(b, "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+dataLen))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], uint16(format))
	binary.LittleEndian.PutUint16(b[22:], uint16(channels))
	binary.LittleEndian.PutUint32(b[24:], uint32(rate))
	binary.LittleEndian.PutUint32(b[28:], uint32(rate*channels*bits/8))
	binary.LittleEndian.PutUint16(b[32:], uint16(channels*bits/8))
	binary.LittleEndian.PutUint16(b[34:], uint16(bits))
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(dataLen))
	return b
}
