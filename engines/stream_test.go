package engines

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"
)

func drain(t *testing.T, s *stream) []Event {
	t.Helper()
	var evs []Event
	for {
		ev, err := s.next(context.Background())
		if err == io.EOF {
			return evs
		}
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, ev)
	}
}

// TestStreamMergesAndSplits: queued output of one stream comes out in
// chunks of at most the chunk size, streams are never mixed, order is
// kept, Done is last and then io.EOF.
func TestStreamMergesAndSplits(t *testing.T) {
	s := newStream(4)
	s.push(Started, nil)
	s.push(Stdout, []byte("ab"))
	s.push(Stdout, []byte("cdefghij"))
	s.push(Stderr, []byte("E"))
	s.push(Stdout, []byte("k"))
	s.finish(&Result{Status: Exited})
	var got []string
	for _, ev := range drain(t, s) {
		got = append(got, ev.Kind.String()+":"+string(ev.Data))
	}
	want := []string{"started:", "stdout:abcd", "stdout:efgh", "stdout:ij", "stderr:E", "stdout:k", "done:"}
	if len(got) != len(want) {
		t.Fatalf("events %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("events %q, want %q", got, want)
		}
	}
	if _, err := s.next(context.Background()); err != io.EOF {
		t.Errorf("after the end: %v", err)
	}
}

// TestStreamCopies: the producer may reuse its buffer at once.
func TestStreamCopies(t *testing.T) {
	s := newStream(16)
	buf := []byte("first")
	s.push(Stdout, buf)
	copy(buf, "XXXXX")
	s.finish(&Result{})
	if evs := drain(t, s); !bytes.Equal(evs[0].Data, []byte("first")) {
		t.Errorf("got %q", evs[0].Data)
	}
}

// TestStreamWaits: next blocks until something is pushed, and gives up
// when its context ends.
func TestStreamWaits(t *testing.T) {
	s := newStream(16)
	got := make(chan Event, 1)
	go func() {
		ev, _ := s.next(context.Background())
		got <- ev
	}()
	s.push(Stderr, []byte("late"))
	if ev := <-got; ev.Kind != Stderr || string(ev.Data) != "late" {
		t.Errorf("got %v %q", ev.Kind, ev.Data)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := s.next(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("an empty stream returned %v", err)
	}
}
