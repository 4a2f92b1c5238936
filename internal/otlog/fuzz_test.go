package otlog

import (
	"reflect"
	"testing"

	"github.com/pid1/pid1/internal/textot"
)

// FuzzParse feeds arbitrary bytes to the decoder of log files, which reads
// whatever a crash or a damaged disk left in the state directory. It must
// never panic; what it accepts must encode back to something that parses
// the same; and replaying it must not panic either.
func FuzzParse(f *testing.F) {
	h := makeHistory(f, "start\n", sample...)
	h.entries[1].Disk = &DiskChange{Op: textot.Op{textot.Skip(2), textot.Delete(1)}, CRC: 7}
	b, ends := h.file()
	f.Add(b)
	for _, end := range ends {
		f.Add(b[:end])
		f.Add(b[:end-1])
	}
	h.base.Text = []byte("two texts")
	f.Add(appendBase(nil, h.base))
	f.Add([]byte(magic))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Parse(b)
		if err != nil {
			return
		}
		if p.Torn < 0 || p.Torn > len(b) {
			t.Fatalf("torn %d of %d bytes", p.Torn, len(b))
		}
		again := appendBase(nil, p.Base)
		for _, e := range p.Entries {
			again = appendEntry(again, e)
		}
		q, err := Parse(again)
		if err != nil || q.Torn != 0 || !reflect.DeepEqual(q.Base, p.Base) || !reflect.DeepEqual(q.Entries, p.Entries) {
			t.Fatalf("re-encoded log parses differently: %+v, %v", q, err)
		}
		p.Replay()
	})
}
