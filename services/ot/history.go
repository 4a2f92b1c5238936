package ot

import (
	"fmt"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/internal/textot"
)

// packet is one committed version.
type packet struct {
	baseLen   int // code points of the version the op applied to
	version   uint32
	op        textot.Op
	crc       uint32
	committed int64 // Unix nanoseconds: a third of a time.Time
	user      uint32
	author    api.OTPacket_Author
	nonce     uint32
}

// cost is what a packet is charged against the history's byte budget: the
// inserted text plus a fixed overhead per component and per packet.
func (p *packet) cost() int {
	n := 96
	for _, c := range p.op {
		n += 32 + len(c.Text())
	}
	return n
}

// proto is the packet as it goes on the wire. spookyVersion and version
// both carry the version: clients read spookyVersion. It cannot fail for an
// op that was applied to a document within the size limit.
func (p *packet) proto() (*api.OTPacket, error) {
	comps, err := textot.ToProto(p.op)
	if err != nil {
		return nil, fmt.Errorf("version %d: %w", p.version, err)
	}
	return &api.OTPacket{
		SpookyVersion: p.version,
		Version:       p.version,
		Op:            comps,
		Crc32:         p.crc,
		Committed:     timestamppb.New(time.Unix(0, p.committed)),
		UserId:        p.user,
		Author:        p.author,
		Nonce:         p.nonce,
	}, nil
}

// history keeps the latest committed packets, within a count and a byte
// budget. packets[i] has version first+i.
type history struct {
	packets  []packet
	first    uint32
	bytes    int
	maxOps   int
	maxBytes int
}

// last is the newest version, 0 when nothing was committed.
func (h *history) last() uint32 { return h.first + uint32(len(h.packets)) - 1 }

// at returns the packet of version v, which must be kept.
func (h *history) at(v uint32) *packet { return &h.packets[v-h.first] }

// kept reports whether version v is still in memory.
func (h *history) kept(v uint32) bool {
	return len(h.packets) > 0 && v >= h.first && v <= h.last()
}

// push appends p, whose version must be last()+1, and drops the oldest
// packets beyond the budgets (always keeping p).
func (h *history) push(p packet) {
	if len(h.packets) == 0 {
		h.first = p.version
	}
	h.packets = append(h.packets, p)
	h.bytes += p.cost()
	drop := 0
	for len(h.packets)-drop > 1 && (len(h.packets)-drop > h.maxOps || h.bytes > h.maxBytes) {
		h.bytes -= h.packets[drop].cost()
		drop++
	}
	if drop == 0 {
		return
	}
	clear(h.packets[:drop]) // let the dropped ops be collected
	h.packets = h.packets[drop:]
	h.first += uint32(drop)
	// Re-slicing keeps the dropped prefix allocated; copy once the live
	// part is less than half of the array.
	if cap(h.packets) > 64 && len(h.packets) < cap(h.packets)/2 {
		h.packets = append(make([]packet, 0, 2*len(h.packets)), h.packets...)
	}
}

// tooOld is the error for a request that needs version v, which was
// dropped.
func (h *history) tooOld(what string, v uint32) error {
	return fmt.Errorf("%s: version %d is no longer kept (the history holds versions %d to %d, at most %d ops); "+
		"reopen the channel to load the current text", what, v, h.first, h.last(), h.maxOps)
}
