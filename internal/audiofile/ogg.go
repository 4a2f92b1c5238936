package audiofile

import (
	"fmt"
	"math"
	"os"

	"github.com/jfreymuth/oggvorbis"
)

type oggDecoder struct {
	r   *oggvorbis.Reader
	buf []float32
}

func openOgg(f *os.File) (decoder, Info, error) {
	r, err := oggvorbis.NewReader(f)
	if err != nil {
		return nil, Info{}, fmt.Errorf("not a valid Ogg Vorbis file (%v)", err)
	}
	return &oggDecoder{r: r}, Info{SampleRate: r.SampleRate(), Channels: r.Channels(), Frames: r.Length()}, nil
}

func (o *oggDecoder) read(dst []int32) (int, error) {
	if cap(o.buf) < len(dst) {
		o.buf = make([]float32, len(dst))
	}
	n, err := o.r.Read(o.buf[:len(dst)])
	for i, v := range o.buf[:n] {
		dst[i] = floatToInt32(v)
	}
	return n, err
}

// floatToInt32 scales a sample in [-1, 1] to full scale, clipping what
// lies outside (and NaN, to silence).
func floatToInt32(v float32) int32 {
	f := float64(v)
	switch {
	case math.IsNaN(f):
		return 0
	case f >= 1:
		return math.MaxInt32
	case f <= -1:
		return math.MinInt32
	}
	return int32(f * math.MaxInt32)
}
