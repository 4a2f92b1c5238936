package ot

import (
	"errors"
	"fmt"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/internal/fsroot"
	"github.com/pid1/pid1/internal/textot"
)

// buffer is the text and its history: the part of the service that knows
// nothing of channels, so it can be tested and measured on its own.
type buffer struct {
	doc     *textot.Doc
	version uint32
	hist    history
	maxDoc  int // bytes of UTF-8
	now     func() time.Time
}

func newBuffer(lim Limits) *buffer {
	lim = lim.withDefaults()
	doc, _ := textot.NewDoc("")
	return &buffer{
		doc:    doc,
		hist:   history{maxOps: lim.HistoryOps, maxBytes: lim.HistoryBytes},
		maxDoc: lim.DocBytes,
		now:    time.Now,
	}
}

// commit transforms op, made against version base, against every version
// committed since, applies it and records it as the next version. When
// base is the current version the op is kept exactly as received (the
// sender recognises its ack by comparing ops). Nothing changes on error.
func (b *buffer) commit(base uint32, op textot.Op, user uint32, author api.OTPacket_Author, nonce uint32) (*packet, error) {
	switch {
	case base > b.version:
		return nil, fmt.Errorf("ot: version %d is ahead of the document, which is at version %d", base, b.version)
	case base < b.version && !b.hist.kept(base+1):
		return nil, b.hist.tooOld("ot", base+1)
	}
	// Transforming normalizes, which would hide a skip past the end of
	// the op's own version; check the op against that version first.
	if span, n := covered(op), b.lengthAt(base); span > n {
		return nil, fmt.Errorf("ot: the op skips or deletes %s, but version %d has only %d", points(span), base, n)
	}
	if base < b.version {
		since := make([]textot.Op, 0, b.version-base)
		for v := base + 1; v <= b.version; v++ {
			since = append(since, b.hist.at(v).op)
		}
		t, err := textot.TransformPast(op, since, textot.Right)
		if err != nil {
			return nil, fmt.Errorf("ot: %w", err)
		}
		op = t
	}
	if grow := inserted(op); b.doc.Bytes()+grow > b.maxDoc {
		return nil, fmt.Errorf("ot: the op would make the document %s, over the %s limit",
			fsroot.Size(int64(b.doc.Bytes()+grow)), fsroot.Size(int64(b.maxDoc)))
	}
	baseLen := b.doc.Len()
	if err := b.doc.Apply(op); err != nil {
		return nil, fmt.Errorf("ot: cannot apply the op to version %d (%s): %w", b.version, points(b.doc.Len()), err)
	}
	b.version++
	p := packet{baseLen: baseLen, version: b.version, op: op, crc: b.doc.CRC32(), committed: b.now().UnixNano(), user: user, author: author, nonce: nonce}
	b.hist.push(p)
	return b.hist.at(b.version), nil
}

// resent reports whether a packet with this user and nonce was committed
// after base: a client that lost its connection before the ack sends its
// op again, and it must not be applied twice.
func (b *buffer) resent(base, user, nonce uint32) bool {
	if nonce == 0 {
		return false
	}
	for v := max(base+1, b.hist.first); v <= b.version && b.hist.kept(v); v++ {
		if p := b.hist.at(v); p.nonce == nonce && p.user == user {
			return true
		}
	}
	return false
}

// lengthAt is the length in code points of version v, which is current or
// kept in the history (its successor records it).
func (b *buffer) lengthAt(v uint32) int {
	if v == b.version {
		return b.doc.Len()
	}
	return b.hist.at(v + 1).baseLen
}

// covered is how many code points of its document an op skips or deletes.
func covered(op textot.Op) int {
	n := 0
	for _, c := range op {
		if c.Kind() != textot.KindInsert {
			n += c.Len()
		}
	}
	return n
}

// points spells a count of code points.
func points(n int) string {
	if n == 1 {
		return "1 code point"
	}
	return fmt.Sprintf("%d code points", n)
}

// inserted is the most the op can grow the document, in bytes.
func inserted(op textot.Op) int {
	n := 0
	for _, c := range op {
		n += len(c.Text())
	}
	return n
}

// orNow is v, or the current version for 0 (a request's "up to now").
func (b *buffer) orNow(v uint32) uint32 {
	if v == 0 {
		return b.version
	}
	return v
}

// fetch returns the packets of versions from to to, inclusive.
func (b *buffer) fetch(from, to uint32) ([]*api.OTPacket, error) {
	switch {
	case from == 0:
		return nil, errors.New("otFetchRequest: versionFrom must be at least 1, the first version")
	case to < from:
		return nil, fmt.Errorf("otFetchRequest: versionTo %d is before versionFrom %d (both are inclusive)", to, from)
	case to > b.version:
		return nil, fmt.Errorf("otFetchRequest: versionTo %d is past the current version %d", to, b.version)
	case !b.hist.kept(from):
		return nil, b.hist.tooOld("otFetchRequest", from)
	}
	out := make([]*api.OTPacket, 0, to-from+1)
	for v := from; v <= to; v++ {
		p, err := b.hist.at(v).proto()
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// transformRange moves positions made at version from to version to.
func (b *buffer) transformRange(what string, from, to uint32, pos ...*int) error {
	switch {
	case from > to:
		return fmt.Errorf("%s: versionTo %d is before versionFrom %d", what, to, from)
	case to > b.version:
		return fmt.Errorf("%s: versionTo %d is past the current version %d", what, to, b.version)
	case from < to && !b.hist.kept(from+1):
		return b.hist.tooOld(what, from+1)
	}
	for v := from + 1; v <= to; v++ {
		op := b.hist.at(v).op
		for _, p := range pos {
			*p = textot.TransformPosition(*p, op)
		}
	}
	return nil
}
