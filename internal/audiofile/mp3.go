package audiofile

import (
	"encoding/binary"
	"fmt"
	"os"

	"github.com/hajimehoshi/go-mp3"
)

// mp3Decoder reads go-mp3's output: 16-bit little-endian stereo (a mono
// file comes out with its channel twice).
type mp3Decoder struct {
	d    *mp3.Decoder
	buf  []byte
	have int // bytes in buf not converted yet (less than a sample)
}

func openMP3(f *os.File) (decoder, Info, error) {
	d, err := mp3.NewDecoder(f)
	if err != nil {
		return nil, Info{}, fmt.Errorf("not a valid MP3 file (%v)", err)
	}
	return &mp3Decoder{d: d}, Info{SampleRate: d.SampleRate(), Channels: 2, Frames: d.Length() / 4}, nil
}

func (m *mp3Decoder) read(dst []int32) (int, error) {
	if want := 2*len(dst) + 2; cap(m.buf) < want {
		b := make([]byte, want)
		copy(b, m.buf[:m.have])
		m.buf = b
	}
	k, err := m.d.Read(m.buf[m.have : 2*len(dst)])
	m.have += k
	n := m.have / 2
	for i := range n {
		dst[i] = int32(int16(binary.LittleEndian.Uint16(m.buf[2*i:]))) << 16
	}
	m.have = copy(m.buf, m.buf[2*n:m.have])
	return n, err
}
