package conman

import (
	"slices"
	"testing"
)

func frames(take func([]frame) []frame) []string {
	var out []string
	for _, f := range take(nil) {
		out = append(out, string(f.b))
	}
	return out
}

// raw is an unshared frame of s.
func raw(s string) frame { return frame{b: []byte(s)} }

// Pongs go ahead of queued output, keep their own order, and are picked
// up between the frames of a batch already taken; the byte count that
// holds a flooding terminal back stays right throughout.
func TestUrgentFramesJumpTheQueue(t *testing.T) {
	q := newOutQueue(100, 1<<20)
	for _, f := range []string{"out1", "out2"} {
		q.push(raw(f))
	}
	q.pushUrgent(raw("pong1"))
	q.push(raw("out3"))
	q.pushUrgent(raw("pong2"))
	if got, want := frames(q.take), []string{"pong1", "pong2", "out1", "out2", "out3"}; !slices.Equal(got, want) {
		t.Fatalf("take: %q, want %q", got, want)
	}
	if got := q.backlog(); got != 2*len("pong1")+3*len("out1") {
		t.Fatalf("backlog %d while the batch is written", got)
	}

	// While that batch is written: more output, then a pong.
	q.push(raw("out4"))
	q.pushUrgent(raw("pong3"))
	if got, want := frames(q.takeUrgent), []string{"pong3"}; !slices.Equal(got, want) {
		t.Fatalf("takeUrgent: %q, want %q", got, want)
	}
	if got := frames(q.takeUrgent); len(got) != 0 {
		t.Fatalf("a second takeUrgent took %q", got)
	}
	q.written()
	if got := q.backlog(); got != len("out4") {
		t.Fatalf("after the batch and the pong were written, backlog %d, want 4", got)
	}
	if got, want := frames(q.take), []string{"out4"}; !slices.Equal(got, want) {
		t.Fatalf("take: %q, want %q", got, want)
	}
	q.written()
	if q.backlog() != 0 {
		t.Fatalf("backlog %d at the end", q.backlog())
	}

	// Bounds apply to urgent frames too.
	small := newOutQueue(1, 100)
	small.push(raw("x"))
	if small.pushUrgent(raw("pong")) {
		t.Fatal("pushUrgent went past the frame limit")
	}
	small.close()
	if small.pushUrgent(raw("pong")) {
		t.Fatal("pushUrgent on a closed queue")
	}
}
