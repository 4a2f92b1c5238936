package audiofile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// Rate is the sample rate of every Stream.
const Rate = 44100

// Info describes a file as it is, before it is converted.
type Info struct {
	Format     string // "wav", "aiff", "mp3", "flac" or "ogg"
	SampleRate int
	Channels   int
	Bits       int   // bits per sample as stored; 0 for lossy formats
	Frames     int64 // sample frames at SampleRate
}

// Duration is how long the file plays.
func (i Info) Duration() time.Duration {
	if i.SampleRate <= 0 {
		return 0
	}
	return time.Duration(i.Frames * int64(time.Second) / int64(i.SampleRate))
}

// Limits of what Open accepts: anything outside them is a corrupt header
// rather than audio.
const (
	minRate     = 1000
	maxRate     = 384000
	maxChannels = 16
)

// ErrUnsupported is wrapped by the error Open returns for a file that is
// not in a format pid1 decodes.
var ErrUnsupported = errors.New("unsupported audio format")

// decoder yields a file's samples: interleaved frames, each sample scaled
// to the full int32 range. It may return fewer samples than asked, and
// not always whole frames; io.EOF ends it.
type decoder interface {
	read(dst []int32) (int, error)
}

// Stream is an open file decoded to mono at Rate.
type Stream struct {
	Info
	f   *os.File
	dec decoder

	in      []int32 // decoded interleaved samples not yet folded
	partial []int32 // an incomplete frame carried to the next read
	mono    []int32 // folded samples the resampler has not consumed
	rs      resampler
	err     error // the decoder's end (io.EOF) or failure, once mono is used up
	idle    int   // reads in a row that yielded nothing
}

// Open opens path and reads its header.
func Open(path string) (*Stream, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	s, err := open(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// open reads f's header and chooses its decoder.
func open(f *os.File) (s *Stream, err error) {
	defer func() {
		if p := recover(); p != nil {
			s, err = nil, fmt.Errorf("corrupt file: the decoder failed (%v)", p)
		}
	}()
	head := make([]byte, 12)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: the file is empty", ErrUnsupported)
		}
		return nil, err
	}
	head = head[:n]
	format := sniff(head)
	if format == "id3" {
		// An ID3v2 tag leads MP3 files and sometimes FLAC ones: look past it.
		format = "mp3"
		if after, ok := pastID3(f, head); ok && bytes.HasPrefix(after, []byte("fLaC")) {
			format = "flac"
		}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	s = &Stream{f: f}
	switch format {
	case "wav":
		s.dec, s.Info, err = openWAV(f)
	case "aiff":
		s.dec, s.Info, err = openAIFF(f)
	case "mp3":
		s.dec, s.Info, err = openMP3(f)
	case "flac":
		s.dec, s.Info, err = openFLAC(f)
	case "ogg":
		s.dec, s.Info, err = openOgg(f)
	default:
		return nil, fmt.Errorf("%w: not WAV, AIFF, MP3, FLAC or Ogg Vorbis", ErrUnsupported)
	}
	if err != nil {
		return nil, err
	}
	s.Info.Format = format
	switch {
	case s.Channels < 1 || s.Channels > maxChannels:
		return nil, fmt.Errorf("%s with %d channels: pid1 plays 1 to %d", format, s.Channels, maxChannels)
	case s.SampleRate < minRate || s.SampleRate > maxRate:
		return nil, fmt.Errorf("%s at %d Hz: pid1 plays %d to %d Hz", format, s.SampleRate, minRate, maxRate)
	}
	s.rs = newResampler(s.SampleRate)
	return s, nil
}

// sniff names the format the first bytes of a file announce.
func sniff(b []byte) string {
	switch {
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WAVE":
		return "wav"
	case len(b) >= 12 && string(b[:4]) == "FORM" && (string(b[8:12]) == "AIFF" || string(b[8:12]) == "AIFC"):
		return "aiff"
	case bytes.HasPrefix(b, []byte("fLaC")):
		return "flac"
	case bytes.HasPrefix(b, []byte("OggS")):
		return "ogg"
	case bytes.HasPrefix(b, []byte("ID3")):
		return "id3"
	case len(b) >= 2 && b[0] == 0xFF && b[1]&0xE0 == 0xE0 && b[1]&0x06 != 0:
		return "mp3" // an MPEG audio frame header (layer bits not 00)
	}
	return ""
}

// pastID3 returns the bytes that follow the ID3v2 tag at the start of f.
func pastID3(f *os.File, head []byte) ([]byte, bool) {
	if len(head) < 10 {
		return nil, false
	}
	size := int64(head[6]&0x7f)<<21 | int64(head[7]&0x7f)<<14 | int64(head[8]&0x7f)<<7 | int64(head[9]&0x7f)
	b := make([]byte, 4)
	if _, err := f.ReadAt(b, 10+size); err != nil {
		return nil, false
	}
	return b, true
}

// chunk is how many samples a Stream asks its decoder for at once.
const chunk = 8192

// Read fills dst with mono samples at Rate. It returns io.EOF once the
// file is played out, or the decoder's error.
func (s *Stream) Read(dst []int32) (n int, err error) {
	defer func() {
		if p := recover(); p != nil {
			s.err = fmt.Errorf("corrupt %s file: the decoder failed (%v)", s.Format, p)
			err = s.err
		}
	}()
	for n < len(dst) {
		n += s.rs.next(dst[n:], &s.mono, s.err != nil)
		switch {
		case n == len(dst):
		case s.err == nil:
			s.fill()
			continue
		case n > 0:
			return n, nil // the rest of the file's end, or its error, next time
		default:
			return 0, s.err
		}
	}
	return n, nil
}

// fill decodes one chunk and folds it into s.mono, or records the end.
func (s *Stream) fill() {
	if cap(s.in) < chunk {
		s.in = make([]int32, chunk)
	}
	want := chunk - chunk%s.Channels
	m, err := s.dec.read(s.in[:want])
	s.mono = s.fold(s.in[:m])
	switch {
	case err != nil:
		s.err = err
	case m > 0:
		s.idle = 0
	default:
		if s.idle++; s.idle > maxIdleReads {
			s.err = fmt.Errorf("corrupt %s file: the decoder keeps yielding nothing", s.Format)
		}
	}
}

// maxIdleReads is how many reads in a row may yield no sample (a packet
// without audio) before a decoder is taken to be stuck.
const maxIdleReads = 1000

// fold averages each frame's channels into one sample, appending to what
// the resampler has not consumed; an incomplete frame waits for the rest.
func (s *Stream) fold(samples []int32) []int32 {
	out := s.mono
	c := s.Channels
	if len(s.partial) > 0 {
		take := min(c-len(s.partial), len(samples))
		s.partial = append(s.partial, samples[:take]...)
		samples = samples[take:]
		if len(s.partial) < c {
			return out
		}
		out = append(out, average(s.partial))
		s.partial = s.partial[:0]
	}
	whole := len(samples) - len(samples)%c
	for i := 0; i < whole; i += c {
		out = append(out, average(samples[i:i+c]))
	}
	s.partial = append(s.partial, samples[whole:]...)
	return out
}

// average is the mean of a frame's channels, summed wide so it cannot
// wrap around.
func average(frame []int32) int32 {
	if len(frame) == 1 {
		return frame[0]
	}
	var sum int64
	for _, v := range frame {
		sum += int64(v)
	}
	return int32(sum / int64(len(frame)))
}

// Close closes the file.
func (s *Stream) Close() error { return s.f.Close() }
