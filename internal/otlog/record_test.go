package otlog

import (
	"bytes"
	"errors"
	"hash/crc32"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pid1/pid1/internal/textot"
)

// history is a base and entries that replay to known texts, made the way
// the ot service makes them: each entry's op applied to the text before it.
type history struct {
	base    Base
	entries []Entry
	texts   []string // texts[i] is the buffer after entries[:i]
	disks   []string // and the text on disk
}

func makeHistory(t testing.TB, disk string, ops ...textot.Op) history {
	t.Helper()
	h := history{base: Base{Workspace: "/ws", Path: "src/a.txt", Version: 7, Disk: []byte(disk), Text: []byte(disk)},
		texts: []string{disk}, disks: []string{disk}}
	text, v := disk, h.base.Version
	for _, op := range ops {
		next, err := textot.Apply(text, op)
		if err != nil {
			t.Fatal(err)
		}
		v++
		h.entries = append(h.entries, Entry{Version: v, Op: op, CRC: crc32.ChecksumIEEE([]byte(next))})
		h.texts, h.disks = append(h.texts, next), append(h.disks, disk)
		text = next
	}
	return h
}

// file is the bytes the Log writes for h, and the end of each frame in
// them: ends[0] is the end of the base, ends[i] that of entry i.
func (h history) file() (b []byte, ends []int) {
	b = appendBase(nil, h.base)
	ends = append(ends, len(b))
	for _, e := range h.entries {
		b = appendEntry(b, e)
		ends = append(ends, len(b))
	}
	return b, ends
}

var sample = []textot.Op{
	{textot.Insert("héllo ")},
	{textot.Skip(6), textot.Insert("wörld 😭\n")},
	{textot.Skip(1), textot.Delete(4), textot.Insert("i")},
	{textot.Skip(3), textot.Insert("𝄞 中")},
}

func TestRoundTrip(t *testing.T) {
	h := makeHistory(t, "start\n", sample...)
	h.entries[2].Disk = &DiskChange{Op: textot.Op{textot.Insert("x")}, CRC: 42}
	b, _ := h.file()
	p, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if p.Torn != 0 || !reflect.DeepEqual(p.Base, h.base) || !reflect.DeepEqual(p.Entries, h.entries) {
		t.Fatalf("round trip:\n got %+v\nwant %+v %+v", p, h.base, h.entries)
	}
	// Different texts are both kept.
	h.base.Text = []byte("other")
	p, err = Parse(appendBase(nil, h.base))
	if err != nil || string(p.Base.Text) != "other" || string(p.Base.Disk) != "start\n" {
		t.Fatalf("base with two texts: %+v %v", p.Base, err)
	}
}

// A log cut anywhere (SIGKILL during a write) keeps every complete frame
// before the cut, and replays to the text after the last of them.
func TestTornTailKeepsEveryCompleteRecord(t *testing.T) {
	h := makeHistory(t, "start\n", sample...)
	b, ends := h.file()
	for cut := 0; cut <= len(b); cut++ {
		p, err := Parse(b[:cut])
		if cut < ends[0] {
			if !errors.Is(err, ErrNoBase) {
				t.Fatalf("cut at %d, inside the base: %v", cut, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("cut at %d: %v", cut, err)
		}
		complete := 0
		for complete+1 < len(ends) && ends[complete+1] <= cut {
			complete++
		}
		torn := len(bytes.TrimRight(b[ends[complete]:cut], "\x00"))
		if len(p.Entries) != complete || p.Torn != torn {
			t.Fatalf("cut at %d: %d entries, %d torn bytes; want %d, %d", cut, len(p.Entries), p.Torn, complete, torn)
		}
		// The same cut in a file written with zeros ahead of its records.
		if q, err := Parse(append(bytes.Clone(b[:cut]), make([]byte, 100)...)); err != nil || len(q.Entries) != complete || q.Torn != torn {
			t.Fatalf("cut at %d, zeros after: %d entries, %d torn bytes (%v)", cut, len(q.Entries), q.Torn, err)
		}
		_, text, n, err := p.Replay()
		if err != nil || n != complete || string(text) != h.texts[complete] {
			t.Fatalf("cut at %d: replayed %d to %q (%v), want %q", cut, n, text, err, h.texts[complete])
		}
	}
}

// A damaged byte anywhere stops the log before the frame it is in; what
// precedes is kept.
func TestDamageStopsAtTheDamagedFrame(t *testing.T) {
	h := makeHistory(t, "start\n", sample...)
	b, ends := h.file()
	for i := range b {
		d := bytes.Clone(b)
		d[i] ^= 0x40
		p, err := Parse(d)
		if i < ends[0] {
			if err == nil {
				t.Fatalf("damage at %d, in the base: parsed %+v", i, p)
			}
			continue
		}
		frame := 1
		for ends[frame] <= i {
			frame++
		}
		if err != nil || len(p.Entries) != frame-1 || p.Torn != len(bytes.TrimRight(d[ends[frame-1]:], "\x00")) {
			t.Fatalf("damage at %d (entry %d): %d entries, %d torn, %v", i, frame, len(p.Entries), p.Torn, err)
		}
	}
}

func TestParseRefusesWhatIsNotALog(t *testing.T) {
	h := makeHistory(t, "x")
	good := appendBase(nil, h.base)
	for name, b := range map[string][]byte{
		"empty":        nil,
		"other magic":  append([]byte("pid1otl\x02"), good[len(magic):]...),
		"text":         []byte(strings.Repeat("hello\n", 10)),
		"magic only":   []byte(magic),
		"entry first":  appendEntry([]byte(magic), Entry{Version: 1, Op: textot.Op{textot.Insert("x")}}),
		"huge length":  append([]byte(magic), 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0),
		"bad checksum": append(bytes.Clone(good[:len(good)-1]), good[len(good)-1]^1),
	} {
		if _, err := Parse(b); !errors.Is(err, ErrNoBase) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// Frames whose checksum holds but whose contents are wrong are refused
// field by field, without panicking or allocating what they announce.
func TestDecodeRefusesBadRecords(t *testing.T) {
	frame := func(payload ...byte) []byte {
		return appendFrame(nil, func(b []byte) []byte { return append(b, payload...) })[frameHeader:]
	}
	for name, payload := range map[string][]byte{
		"unknown kind":        frame(9, 1, 0, 0, 0, 0, 0),
		"ends early":          frame(kindEdit, 1),
		"huge op count":       frame(kindEdit, 1, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f),
		"unknown component":   frame(kindEdit, 1, 0, 0, 0, 0, 1, 7, 1),
		"zero skip":           frame(kindEdit, 1, 0, 0, 0, 0, 1, compSkip, 0),
		"empty insert":        frame(kindEdit, 1, 0, 0, 0, 0, 1, compInsert, 0),
		"not utf-8":           frame(kindEdit, 1, 0, 0, 0, 0, 1, compInsert, 1, 0xff),
		"text past the end":   frame(kindEdit, 1, 0, 0, 0, 0, 1, compInsert, 100, 'x'),
		"trailing bytes":      frame(kindEdit, 1, 0, 0, 0, 0, 0, 1),
		"version over 32 bit": frame(kindEdit, 0x80, 0x80, 0x80, 0x80, 0x10, 0, 0, 0, 0, 0),
		"count over 31 bit":   frame(kindEdit, 1, 0, 0, 0, 0, 1, compDelete, 0x80, 0x80, 0x80, 0x80, 0x08),
	} {
		if e, err := decodeEntry(payload); err == nil {
			t.Errorf("%s: decoded %+v", name, e)
		}
	}
}

// Entries that do not fit the base stop the replay at the last entry whose
// CRC-32 was checked.
func TestReplayStopsAtAnInconsistentEntry(t *testing.T) {
	h := makeHistory(t, "start\n", sample...)
	for name, bad := range map[string]func(*Entry){
		"version gap":     func(e *Entry) { e.Version += 2 },
		"wrong CRC":       func(e *Entry) { e.CRC++ },
		"op past the end": func(e *Entry) { e.Op = textot.Op{textot.Skip(1000), textot.Insert("x")} },
	} {
		es := slices.Clone(h.entries)
		bad(&es[2])
		p := Parsed{Base: h.base, Entries: es}
		_, text, n, err := p.Replay()
		if err == nil || n != 2 || string(text) != h.texts[2] {
			t.Errorf("%s: replayed %d entries to %q, err %v", name, n, text, err)
		}
	}
}
