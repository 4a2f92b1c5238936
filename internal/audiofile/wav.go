package audiofile

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"

	"github.com/go-audio/audio"
	"github.com/go-audio/wav"
)

// wavPCM is the WAVE format tag of integer PCM, the only one go-audio
// decodes correctly (it reads float and compressed data as integers).
const wavPCM = 1

type wavDecoder struct {
	d     *wav.Decoder
	buf   audio.IntBuffer
	shift func(int) int32
}

func openWAV(f *os.File) (decoder, Info, error) {
	if err := checkChunks(f, binary.LittleEndian, "fmt ", "data"); err != nil {
		return nil, Info{}, err
	}
	if err := rewind(f); err != nil {
		return nil, Info{}, err
	}
	d := wav.NewDecoder(f)
	if !d.IsValidFile() {
		return nil, Info{}, fmt.Errorf("not a valid WAV file (%v)", errOr(d.Err(), "no samples"))
	}
	if d.WavAudioFormat != wavPCM {
		return nil, Info{}, fmt.Errorf("%w: WAV format tag %#x; pid1 plays integer PCM (tag 1) WAV files", ErrUnsupported, d.WavAudioFormat)
	}
	shift, err := fullScale(int(d.BitDepth), true)
	if err != nil {
		return nil, Info{}, err
	}
	if err := d.FwdToPCM(); err != nil {
		return nil, Info{}, fmt.Errorf("WAV file without samples: %w", err)
	}
	info := Info{SampleRate: int(d.SampleRate), Channels: int(d.NumChans), Bits: int(d.BitDepth)}
	if bytes := int64(d.BitDepth+7) / 8 * int64(d.NumChans); bytes > 0 {
		info.Frames = d.PCMLen() / bytes
	}
	return &wavDecoder{d: d, shift: shift}, info, nil
}

func (w *wavDecoder) read(dst []int32) (int, error) {
	if cap(w.buf.Data) < len(dst) {
		w.buf.Data = make([]int, len(dst))
	}
	w.buf.Data = w.buf.Data[:len(dst)]
	n, err := w.d.PCMBuffer(&w.buf)
	for i, v := range w.buf.Data[:n] {
		dst[i] = w.shift(v)
	}
	if err == nil && n == 0 {
		err = io.EOF
	}
	return n, err
}

// fullScale returns how a sample of bits bits becomes a full-scale int32:
// shifted up to the top. 8-bit samples are unsigned (WAV) or two's
// complement (AIFF) as stored, but go-audio hands both over as 0..255.
func fullScale(bits int, unsigned8 bool) (func(int) int32, error) {
	switch bits {
	case 8:
		if unsigned8 {
			return func(v int) int32 { return int32(v-128) << 24 }, nil
		}
		return func(v int) int32 { return int32(int8(uint8(v))) << 24 }, nil
	case 16, 24, 32:
		s := 32 - bits
		return func(v int) int32 { return int32(v) << s }, nil
	}
	return nil, fmt.Errorf("%w: %d-bit samples; pid1 plays 8, 16, 24 and 32-bit integer PCM", ErrUnsupported, bits)
}

func errOr(err error, otherwise string) any {
	if err != nil {
		return err
	}
	return otherwise
}
