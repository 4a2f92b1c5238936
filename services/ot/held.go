package ot

import (
	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
)

// held is the service's channel with its output held back while the op
// log makes the versions committed before it durable. No version is
// broadcast or acknowledged before the fsync that covers it (clients take
// their own op's broadcast as its acknowledgement), and nothing the service
// sends overtakes what it sent before: a cursor, a fetch's answer or an
// otstatus that already counts a version goes out after that version's
// broadcast. It is used only on the channel's actor, so it needs no lock;
// the commands it holds are built for it and never reused by the service.
type held struct {
	services.Channel
	need    uint64 // the log record what is sent now must wait for
	durable uint64 // the last log record known to be durable
	queue   []heldCmd
}

type heldCmd struct {
	cmd *api.Command
	seq uint64
	// to, when not nil, lists the sessions cmd goes to: someone joined
	// after it was queued, and it is not for them (see joined).
	to []int32
}

var _ services.Channel = (*held)(nil)

// Send sends cmd now, or queues it while earlier output waits.
func (h *held) Send(cmd *api.Command) {
	if len(h.queue) == 0 && h.need <= h.durable {
		h.Channel.Send(cmd)
		return
	}
	h.queue = append(h.queue, heldCmd{cmd: cmd, seq: h.need})
}

// waitFor makes what is sent from now on wait until log record seq is
// durable.
func (h *held) waitFor(seq uint64) { h.need = max(h.need, seq) }

// release sends, in order, what waited for log records up to seq.
func (h *held) release(seq uint64) {
	h.durable = max(h.durable, seq)
	n := 0
	for _, q := range h.queue {
		if q.seq > h.durable {
			break
		}
		h.send(q)
		n++
	}
	clear(h.queue[:n])
	h.queue = h.queue[n:]
	if len(h.queue) == 0 {
		h.queue = nil
	}
}

// releaseAll sends everything: the file holds every version now.
func (h *held) releaseAll() { h.release(h.need) }

func (h *held) send(q heldCmd) {
	if q.to == nil {
		h.Channel.Send(q.cmd)
		return
	}
	for _, id := range q.to {
		q.cmd.Session = id
		h.Channel.Send(q.cmd)
	}
}

// joined is told that session id attached while output is held. What is
// queued for everyone was meant for the sessions attached before it: the
// newcomer's otstatus, queued after, already counts those versions, so a
// broadcast reaching it too would apply them twice. Such commands are
// addressed to the earlier sessions by name instead.
func (h *held) joined(id int32) {
	var before []int32
	for i := range h.queue {
		q := &h.queue[i]
		if q.to != nil || q.cmd.Session > 0 {
			continue
		}
		if before == nil {
			before = make([]int32, 0, 8)
			for _, s := range h.Sessions() {
				if s.ID != id {
					before = append(before, s.ID)
				}
			}
		}
		q.to = make([]int32, 0, len(before))
		for _, s := range before {
			if s != -q.cmd.Session { // Others: all but one
				q.to = append(q.to, s)
			}
		}
	}
}
