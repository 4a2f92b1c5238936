package fsroot

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestReadAllWhateverTheSizeHint reads files whose stat size is stale
// (the file grew or shrank after it) and files at and past the limit, into
// no buffer, a buffer too small and a large one holding old bytes.
func TestReadAllWhateverTheSizeHint(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	for _, c := range []struct {
		size        int   // bytes in the file
		hint, limit int64 // what stat said; the most to return
		want        int   // bytes returned
	}{
		{0, 0, 10, 0},
		{10, 10, 10, 10},
		{10, 0, 10, 10},     // grew after stat
		{10, 5000, 100, 10}, // shrank after stat
		{11, 10, 10, 11},    // grew past the limit: one byte more shows it
		{5000, 10, 10, 11},
		{70000, 100, 1 << 20, 70000},
	} {
		data := bytes.Repeat([]byte("ab"), c.size)[:c.size]
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, buf := range [][]byte{nil, make([]byte, 3), bytes.Repeat([]byte("x"), 80000)} {
			f, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			got, err := readAll(f, buf[:0], c.hint, c.limit)
			f.Close()
			if err != nil || len(got) != c.want || !bytes.Equal(got, data[:c.want]) {
				t.Errorf("%d bytes, hint %d, limit %d, buffer of %d: got %d bytes, %v; want %d", c.size, c.hint, c.limit, len(buf), len(got), err, c.want)
			}
			if len(buf) == 80000 && &got[:1][0] != &buf[0] {
				t.Errorf("%d bytes: the large buffer was not used", c.size)
			}
		}
	}
}
