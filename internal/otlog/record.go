package otlog

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"unicode/utf8"

	"github.com/pid1/pid1/internal/textot"
)

// magic opens every log file; its last byte is the format's version.
const magic = "pid1otl\x01"

// frameHeader is a frame's payload length and CRC-32C, little-endian.
const frameHeader = 8

// The record kinds, the first byte of a frame's payload.
const (
	kindBase = 1 // must be the first frame
	kindEdit = 2
	kindDisk = 3 // an edit that merged a change of the file on disk
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Base begins a log: which file it is for, and the buffer's state when it
// began.
type Base struct {
	Workspace string // absolute path of the workspace the file is in
	Path      string // the file, a clean workspace path
	Version   uint32 // the buffer's version
	// Disk is the file's text as the buffer last read or wrote it, and Text
	// the buffer's; they differ by the buffer's unflushed edits.
	Disk, Text []byte
}

// Entry is one committed version.
type Entry struct {
	Version uint32
	Op      textot.Op // turns the previous version's text into this one's
	CRC     uint32    // CRC-32 (IEEE) of the text after Op
	// Disk is set when the version merged a change of the file on disk.
	Disk *DiskChange
}

// DiskChange is how the file's text changed on disk.
type DiskChange struct {
	Op  textot.Op // turns the text pid1 knew on disk into the new one
	CRC uint32    // CRC-32 (IEEE) of the new text on disk
}

// Parsed is what a log file holds.
type Parsed struct {
	Base    Base
	Entries []Entry
	// Torn counts the bytes after the last complete frame, up to the last
	// byte that is not zero (the file is written with zeros ahead of its
	// records): a write that was cut short (the process killed during
	// it) or damage.
	Torn int
}

// ErrNoBase is wrapped by Parse's error when the file does not begin with
// a complete base record, so nothing in it can be used.
var ErrNoBase = errors.New("no complete base record")

// Parse decodes a log file. It keeps every complete frame up to the first
// that is cut short or fails its checksum; the rest is counted in Torn. It
// fails only if the base record itself is unusable. It never panics and
// allocates no more than the size of b, whatever b holds.
func Parse(b []byte) (Parsed, error) {
	if len(b) < len(magic) || string(b[:len(magic)]) != magic {
		return Parsed{}, fmt.Errorf("%w: the file does not start with the log's magic", ErrNoBase)
	}
	rest := b[len(magic):]
	payload, rest, ok := nextFrame(rest)
	if !ok {
		return Parsed{}, fmt.Errorf("%w: the first frame is cut short or fails its checksum", ErrNoBase)
	}
	base, err := decodeBase(payload)
	if err != nil {
		return Parsed{}, fmt.Errorf("%w: %v", ErrNoBase, err)
	}
	p := Parsed{Base: base}
	for len(rest) > 0 {
		payload, next, ok := nextFrame(rest)
		if !ok {
			break
		}
		e, err := decodeEntry(payload)
		if err != nil {
			break // a checksummed frame that does not decode: treat as damage
		}
		p.Entries = append(p.Entries, e)
		rest = next
	}
	p.Torn = len(bytes.TrimRight(rest, "\x00"))
	return p, nil
}

// nextFrame splits the first frame's payload off b; ok is false when the
// frame is cut short or its checksum does not match.
func nextFrame(b []byte) (payload, rest []byte, ok bool) {
	if len(b) < frameHeader {
		return nil, b, false
	}
	n := binary.LittleEndian.Uint32(b)
	if uint64(n) > uint64(len(b)-frameHeader) {
		return nil, b, false
	}
	payload = b[frameHeader : frameHeader+int(n)]
	if crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(b[4:]) {
		return nil, b, false
	}
	return payload, b[frameHeader+int(n):], true
}

// appendFrame appends the frame of a payload built by fill.
func appendFrame(b []byte, fill func([]byte) []byte) []byte {
	start := len(b)
	b = append(b, make([]byte, frameHeader)...)
	b = fill(b)
	payload := b[start+frameHeader:]
	binary.LittleEndian.PutUint32(b[start:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(b[start+4:], crc32.Checksum(payload, castagnoli))
	return b
}

// appendBase appends the magic and the base frame: the start of a file.
func appendBase(b []byte, base Base) []byte {
	b = append(b, magic...)
	return appendFrame(b, func(b []byte) []byte {
		b = append(b, kindBase)
		b = appendBytes(b, []byte(base.Workspace))
		b = appendBytes(b, []byte(base.Path))
		b = binary.AppendUvarint(b, uint64(base.Version))
		b = appendBytes(b, base.Disk)
		if string(base.Text) == string(base.Disk) {
			return append(b, 1) // the same text: not written twice
		}
		return appendBytes(append(b, 0), base.Text)
	})
}

func appendEntry(b []byte, e Entry) []byte {
	return appendFrame(b, func(b []byte) []byte {
		kind := byte(kindEdit)
		if e.Disk != nil {
			kind = kindDisk
		}
		b = append(b, kind)
		b = binary.AppendUvarint(b, uint64(e.Version))
		b = binary.LittleEndian.AppendUint32(b, e.CRC)
		b = appendOp(b, e.Op)
		if e.Disk != nil {
			b = binary.LittleEndian.AppendUint32(b, e.Disk.CRC)
			b = appendOp(b, e.Disk.Op)
		}
		return b
	})
}

// The component kinds on disk.
const (
	compSkip   = 0
	compInsert = 1
	compDelete = 2
)

func appendOp(b []byte, op textot.Op) []byte {
	b = binary.AppendUvarint(b, uint64(len(op)))
	for _, c := range op {
		switch c.Kind() {
		case textot.KindInsert:
			b = appendBytes(append(b, compInsert), []byte(c.Text()))
		case textot.KindDelete:
			b = binary.AppendUvarint(append(b, compDelete), uint64(c.Len()))
		default:
			b = binary.AppendUvarint(append(b, compSkip), uint64(c.Len()))
		}
	}
	return b
}

func appendBytes(b, s []byte) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// decoder reads a payload; the first failure sticks.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf(format, args...)
	}
}

func (d *decoder) byte() byte {
	if d.err != nil || len(d.b) == 0 {
		d.fail("the record ends early")
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) uvarint(max uint64) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("a number is cut short or too long")
		return 0
	}
	if v > max {
		d.fail("a number (%d) is larger than %d", v, max)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) uint32() uint32 {
	if d.err != nil || len(d.b) < 4 {
		d.fail("the record ends early")
		return 0
	}
	v := binary.LittleEndian.Uint32(d.b)
	d.b = d.b[4:]
	return v
}

// bytes returns a slice of the payload: callers copy what they keep.
func (d *decoder) bytes() []byte {
	n := d.uvarint(uint64(len(d.b)))
	if d.err != nil {
		return nil
	}
	s := d.b[:n:n]
	d.b = d.b[n:]
	return s
}

func (d *decoder) text() string {
	s := d.bytes()
	if d.err == nil && !utf8.Valid(s) {
		d.fail("a text is not UTF-8")
	}
	return string(s)
}

func (d *decoder) op() textot.Op {
	// Every component takes at least two bytes: a count beyond that is
	// damage, found before anything is allocated for it.
	n := d.uvarint(uint64(len(d.b) / 2))
	op := make(textot.Op, 0, n)
	for range n {
		switch kind := d.byte(); kind {
		case compSkip:
			op = append(op, textot.Skip(int(d.uvarint(math.MaxInt32))))
		case compDelete:
			op = append(op, textot.Delete(int(d.uvarint(math.MaxInt32))))
		case compInsert:
			op = append(op, textot.Insert(d.text()))
		default:
			d.fail("unknown op component %d", kind)
		}
		if d.err != nil {
			return nil
		}
	}
	if err := textot.Validate(op); err != nil {
		d.fail("invalid op: %v", err)
		return nil
	}
	return op
}

func (d *decoder) done() error {
	if d.err == nil && len(d.b) > 0 {
		d.fail("%d bytes follow the record", len(d.b))
	}
	return d.err
}

func decodeBase(payload []byte) (Base, error) {
	d := decoder{b: payload}
	if k := d.byte(); d.err == nil && k != kindBase {
		return Base{}, fmt.Errorf("the first record is of kind %d, not a base", k)
	}
	var base Base
	base.Workspace = d.text()
	base.Path = d.text()
	base.Version = uint32(d.uvarint(math.MaxUint32))
	base.Disk = clone(d.bytes())
	switch same := d.byte(); {
	case d.err != nil:
	case same == 1:
		base.Text = base.Disk
	case same == 0:
		base.Text = clone(d.bytes())
	default:
		d.fail("a base's text flag is %d", same)
	}
	if err := d.done(); err != nil {
		return Base{}, fmt.Errorf("base record: %w", err)
	}
	return base, nil
}

func decodeEntry(payload []byte) (Entry, error) {
	d := decoder{b: payload}
	kind := d.byte()
	if d.err == nil && kind != kindEdit && kind != kindDisk {
		return Entry{}, fmt.Errorf("a record of unknown kind %d", kind)
	}
	e := Entry{Version: uint32(d.uvarint(math.MaxUint32)), CRC: d.uint32(), Op: d.op()}
	if kind == kindDisk {
		e.Disk = &DiskChange{CRC: d.uint32(), Op: d.op()}
	}
	if err := d.done(); err != nil {
		return Entry{}, fmt.Errorf("record: %w", err)
	}
	return e, nil
}

func clone(b []byte) []byte { return append([]byte{}, b...) }
