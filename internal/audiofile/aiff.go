package audiofile

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"

	"github.com/go-audio/aiff"
	"github.com/go-audio/audio"
)

type aiffDecoder struct {
	d     *aiff.Decoder
	buf   audio.IntBuffer
	shift func(int) int32
}

func openAIFF(f *os.File) (decoder, Info, error) {
	if err := checkChunks(f, binary.BigEndian, "COMM", "SSND"); err != nil {
		return nil, Info{}, err
	}
	if err := rewind(f); err != nil {
		return nil, Info{}, err
	}
	d := aiff.NewDecoder(f)
	if !d.IsValidFile() {
		if d.Err() == nil && string(d.Form[:]) == "AIFC" {
			return nil, Info{}, fmt.Errorf("%w: AIFF-C compressed as %q; pid1 plays uncompressed AIFF-C (NONE, sowt)", ErrUnsupported, d.Encoding[:])
		}
		return nil, Info{}, fmt.Errorf("not a valid AIFF file (%v)", errOr(d.Err(), "no samples"))
	}
	shift, err := fullScale(int(d.BitDepth), false)
	if err != nil {
		return nil, Info{}, err
	}
	info := Info{SampleRate: d.SampleRate, Channels: int(d.NumChans), Bits: int(d.BitDepth), Frames: int64(d.NumSampleFrames)}
	if err := d.FwdToPCM(); err != nil {
		return nil, Info{}, fmt.Errorf("AIFF file without samples: %w", err)
	}
	return &aiffDecoder{d: d, shift: shift}, info, nil
}

func (a *aiffDecoder) read(dst []int32) (int, error) {
	if cap(a.buf.Data) < len(dst) {
		a.buf.Data = make([]int, len(dst))
	}
	a.buf.Data = a.buf.Data[:len(dst)]
	n, err := a.d.PCMBuffer(&a.buf)
	for i, v := range a.buf.Data[:n] {
		dst[i] = a.shift(v)
	}
	if err == nil && n == 0 {
		err = io.EOF
	}
	return n, err
}
