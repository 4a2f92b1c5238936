package audiofile_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/pid1/pid1/internal/audiofile"
	"github.com/pid1/pid1/test/kit/audiotest"
)

// FuzzOpen feeds arbitrary files to the decoders: whatever a file holds,
// Open and Read return (an error, or at most a bounded amount of audio)
// and never panic. The seeds are short files of every format.
func FuzzOpen(f *testing.F) {
	dir := f.TempDir()
	tone := audiotest.Tone{Hz: 440, Seconds: 0.01, Channels: 2}
	for name, write := range map[string]func(testing.TB, string, audiotest.Tone){
		"wav": audiotest.WAV, "aiff": audiotest.AIFF, "flac": audiotest.FLAC,
	} {
		p := filepath.Join(dir, name)
		write(f, p, tone)
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("OggS\x00\x02\x00\x00"))
	f.Add([]byte("ID3\x04\x00\x00\x00\x00\x00\x00\xff\xfb\x90\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "f")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := audiofile.Open(p)
		if err != nil {
			return
		}
		defer s.Close()
		buf := make([]int32, 4096)
		for total := 0; total < 60*audiofile.Rate; {
			n, err := s.Read(buf)
			if err != nil {
				return
			}
			total += n
		}
	})
}
