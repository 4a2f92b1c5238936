package feed

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func TestQueueBoundsBytesAndMessages(t *testing.T) {
	q := New()
	big := strings.Repeat("x", MaxBytes+10)
	if err := q.Put(big); err != nil {
		t.Fatalf("one message larger than the bound into an empty queue: %v", err)
	}
	if err := q.Put("y"); !errors.Is(err, ErrFull) {
		t.Fatalf("a put past MaxBytes: %v, want ErrFull", err)
	}
	r, w := io.Pipe()
	done := make(chan struct{})
	go func() { q.Drain(w, done); w.Close() }()
	got, err := io.ReadAll(io.LimitReader(r, int64(len(big))))
	if err != nil || len(got) != len(big) {
		t.Fatalf("drained %d bytes, %v", len(got), err)
	}
	for q.bytes.Load() != 0 {
		time.Sleep(time.Millisecond)
	}
	if err := q.Put("after"); err != nil {
		t.Fatalf("a put once the program read: %v", err)
	}
	q.Close()
	if rest, _ := io.ReadAll(r); string(rest) != "after" {
		t.Fatalf("after Close the queue wrote %q", rest)
	}
	if err := q.Put("late"); !errors.Is(err, ErrClosed) {
		t.Fatalf("a put after Close: %v", err)
	}

	q = New()
	for i := range MaxMessages {
		if err := q.Put("z"); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	if err := q.Put("z"); !errors.Is(err, ErrFull) {
		t.Fatalf("message %d: %v, want ErrFull", MaxMessages+1, err)
	}
}
