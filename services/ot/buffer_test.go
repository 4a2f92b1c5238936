package ot

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/internal/textot"
)

var runes = []rune("ab \né中😭𝄞")

func randomText(r *rand.Rand, n int) string {
	var sb strings.Builder
	for range n {
		sb.WriteRune(runes[r.IntN(len(runes))])
	}
	return sb.String()
}

// randomOp is a valid op of up to three edits on a text of n code points.
func randomOp(r *rand.Rand, n int) textot.Op {
	var op textot.Op
	at := 0
	for range 1 + r.IntN(3) {
		if at > n {
			break
		}
		gap := r.IntN(n - at + 1)
		if gap > 0 {
			op = append(op, textot.Skip(gap))
			at += gap
		}
		if at < n && r.IntN(2) == 0 {
			d := 1 + r.IntN(min(n-at, 3))
			op = append(op, textot.Delete(d))
			at += d
		} else {
			op = append(op, textot.Insert(randomText(r, 1+r.IntN(3))))
		}
	}
	if len(op) == 0 {
		op = textot.Op{textot.Insert("x")}
	}
	return textot.Normalize(op)
}

// An op made against an old version and committed by the server leaves
// the server with the text a client reaches by applying its own op first
// and then the history transformed past it: the two sides converge, over
// thousands of random documents and histories.
func TestCommitAgainstHistoryConverges(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		start := randomText(r, r.IntN(20))
		b := newBuffer(Limits{})
		if _, err := b.commit(0, textot.Op{textot.Insert("·" + start)}, 0, api.OTPacket_USER, 0); err != nil {
			t.Fatal(err)
		}
		base := b.version
		client := b.doc.String()
		mine := randomOp(r, b.doc.Len())
		var history []textot.Op
		for range r.IntN(6) {
			op := randomOp(r, b.doc.Len())
			if _, err := b.commit(b.version, op, 1, api.OTPacket_USER, 0); err != nil {
				t.Fatal(err)
			}
			history = append(history, op)
		}
		p, err := b.commit(base, mine, 2, api.OTPacket_USER, 0)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		// The client's side: its op first, then each committed op
		// transformed past what it has not had acknowledged.
		local, err := textot.Apply(client, mine)
		if err != nil {
			t.Fatal(err)
		}
		pending := mine
		for _, h := range history {
			h2, err := textot.Transform(h, pending, textot.Left)
			if err != nil {
				t.Fatal(err)
			}
			if pending, err = textot.Transform(pending, h, textot.Right); err != nil {
				t.Fatal(err)
			}
			if local, err = textot.Apply(local, h2); err != nil {
				t.Fatal(err)
			}
		}
		if local != b.doc.String() {
			t.Fatalf("case %d: client %q, server %q", i, local, b.doc.String())
		}
		// What the client awaits as its ack is the op it has pending now.
		if p.op.String() != pending.String() && !(len(history) == 0 && p.op.String() == mine.String()) {
			t.Fatalf("case %d: server committed %s, client expects %s", i, p.op, pending)
		}
		if p.crc != b.doc.CRC32() {
			t.Fatal("crc")
		}
	}
}

func TestHistoryDropsTheOldestWithinBudgets(t *testing.T) {
	b := newBuffer(Limits{HistoryOps: 1000, HistoryBytes: 10_000})
	for range 500 {
		if _, err := b.commit(b.version, textot.Op{textot.Insert(strings.Repeat("x", 100))}, 0, api.OTPacket_USER, 0); err != nil {
			t.Fatal(err)
		}
	}
	if b.hist.bytes > 10_000 || len(b.hist.packets) == 0 || b.hist.last() != 500 || b.hist.first != 501-uint32(len(b.hist.packets)) {
		t.Fatalf("history: %d packets from %d, %d bytes", len(b.hist.packets), b.hist.first, b.hist.bytes)
	}
	if cap(b.hist.packets) > 4*len(b.hist.packets)+64 {
		t.Fatalf("dropped packets are still held: cap %d for %d", cap(b.hist.packets), len(b.hist.packets))
	}
}
