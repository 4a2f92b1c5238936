package bufpool

import "testing"

// TestKeepsWhatFitsOnly puts buffers below and above Max back and checks
// that Get hands out only the first, empty (sync.Pool may drop any item,
// and does so at random under -race, so a reuse is looked for, not
// required every time).
func TestKeepsWhatFitsOnly(t *testing.T) {
	p := Pool{Max: 1 << 10}
	reused := false
	for range 100 {
		small := append(make([]byte, 0, 512), "abc"...)
		p.Put(small)
		p.Put(make([]byte, 0, 4<<10))
		b := p.Get()
		if len(b) != 0 {
			t.Fatalf("Get returned %d bytes, want an empty buffer", len(b))
		}
		if cap(b) > p.Max {
			t.Fatalf("Get returned a buffer of %d, over Max %d", cap(b), p.Max)
		}
		if cap(b) == 512 && &b[:1][0] == &small[0] {
			reused = true
		}
	}
	if !reused {
		t.Fatal("a buffer put back was never handed out again")
	}
	var zero Pool
	zero.Put(make([]byte, 10))
	if b := zero.Get(); b != nil {
		t.Fatalf("the zero Pool kept a buffer of %d", cap(b))
	}
}
