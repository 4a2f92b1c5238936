package ot

import (
	"hash/crc32"
	"testing"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/internal/textot"
)

// FuzzDecodeAndCommit feeds arbitrary bytes through what an ot packet
// from a client goes through: protobuf decoding, conversion to an op and a
// commit against a buffer with some history. A refused packet changes
// nothing; an accepted one leaves valid text with a matching CRC-32.
func FuzzDecodeAndCommit(f *testing.F) {
	for _, p := range []*api.OTPacket{
		{SpookyVersion: 3, Op: []*api.OTOpComponent{{OpComponent: &api.OTOpComponent_Skip{Skip: 2}}, {OpComponent: &api.OTOpComponent_Insert{Insert: "é"}}}},
		{SpookyVersion: 1, Op: []*api.OTOpComponent{{OpComponent: &api.OTOpComponent_Delete{Delete: 4}}}},
		{Version: 2, Op: []*api.OTOpComponent{{OpComponent: &api.OTOpComponent_Skip{Skip: 99}}}},
		{SpookyVersion: 9, Op: []*api.OTOpComponent{{}}},
	} {
		b, _ := proto.Marshal(p)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var p api.OTPacket
		if proto.Unmarshal(data, &p) != nil {
			return
		}
		b := newBuffer(Limits{DocBytes: 1 << 12, HistoryOps: 2})
		for _, s := range []string{"hello", " 😭", " world"} {
			op := textot.Op{textot.Insert(s)}
			if n := b.doc.Len(); n > 0 {
				op = append(textot.Op{textot.Skip(n)}, op...)
			}
			if _, err := b.commit(b.version, op, 0, api.OTPacket_USER, 0); err != nil {
				t.Fatal(err)
			}
		}
		before, version := b.doc.String(), b.version
		op, err := textot.FromProto(p.GetOp())
		var c *packet
		if err == nil {
			c, err = b.commit(baseVersion(&p), op, 7, api.OTPacket_USER, p.GetNonce())
		}
		if err != nil {
			if b.doc.String() != before || b.version != version {
				t.Fatalf("refused (%v) but changed: %q v%d", err, b.doc.String(), b.version)
			}
			return
		}
		text := b.doc.String()
		if b.version != version+1 || c.version != b.version || !utf8.ValidString(text) ||
			c.crc != crc32.ChecksumIEEE([]byte(text)) || len(text) > 1<<12 {
			t.Fatalf("committed %v: v%d %q crc %08x", c.op, b.version, text, c.crc)
		}
		if _, err := c.proto(); err != nil {
			t.Fatal(err)
		}
	})
}
