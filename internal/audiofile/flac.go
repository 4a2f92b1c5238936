package audiofile

import (
	"fmt"
	"os"

	"github.com/mewkiz/flac"
)

// flacDecoder hands out a FLAC file frame by frame, interleaving the
// channels of each (the library gives them decorrelated, one slice each).
type flacDecoder struct {
	s       *flac.Stream
	shift   int
	pending []int32 // interleaved samples of the current frame not handed out
}

func openFLAC(f *os.File) (decoder, Info, error) {
	s, err := flac.New(f)
	if err != nil {
		return nil, Info{}, fmt.Errorf("not a valid FLAC file (%v)", err)
	}
	bits := int(s.Info.BitsPerSample)
	if bits < 4 || bits > 32 {
		return nil, Info{}, fmt.Errorf("%w: %d-bit FLAC", ErrUnsupported, bits)
	}
	info := Info{SampleRate: int(s.Info.SampleRate), Channels: int(s.Info.NChannels), Bits: bits, Frames: int64(s.Info.NSamples)}
	return &flacDecoder{s: s, shift: 32 - bits}, info, nil
}

func (d *flacDecoder) read(dst []int32) (int, error) {
	if len(d.pending) == 0 {
		fr, err := d.s.ParseNext()
		if err != nil {
			return 0, err
		}
		if len(fr.Subframes) == 0 {
			return 0, nil
		}
		c := len(fr.Subframes)
		frames := len(fr.Subframes[0].Samples)
		for _, sf := range fr.Subframes {
			frames = min(frames, len(sf.Samples))
		}
		d.pending = d.pending[:0]
		for i := range frames {
			for ch := range c {
				d.pending = append(d.pending, fr.Subframes[ch].Samples[i]<<d.shift)
			}
		}
	}
	n := copy(dst, d.pending)
	d.pending = d.pending[n:]
	return n, nil
}
