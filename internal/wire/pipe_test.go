package wire_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/pid1/pid1/internal/wire"
)

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestPipeCarriesMessagesInOrderAndCopiesThem(t *testing.T) {
	a, b := wire.Pipe()
	ctx := ctxT(t)
	buf := []byte("first")
	if err := a.Write(ctx, websocket.MessageBinary, buf); err != nil {
		t.Fatal(err)
	}
	copy(buf, "XXXXX") // the writer reuses its buffer at once
	if err := a.Write(ctx, websocket.MessageText, []byte("second")); err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct {
		typ  websocket.MessageType
		text string
	}{{websocket.MessageBinary, "first"}, {websocket.MessageText, "second"}} {
		typ, got, err := b.Read(ctx)
		if err != nil || typ != want.typ || string(got) != want.text {
			t.Fatalf("Read = %v %q %v, want %v %q", typ, got, err, want.typ, want.text)
		}
	}
}

func TestPipeCloseDeliversWhatWasWrittenThenTheCloseCode(t *testing.T) {
	a, b := wire.Pipe()
	ctx := ctxT(t)
	if err := a.Write(ctx, websocket.MessageBinary, []byte("last words")); err != nil {
		t.Fatal(err)
	}
	a.Close(websocket.StatusGoingAway, "bye")
	if _, got, err := b.Read(ctx); err != nil || string(got) != "last words" {
		t.Fatalf("Read after close = %q %v, want the message written before it", got, err)
	}
	_, _, err := b.Read(ctx)
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.StatusGoingAway || ce.Reason != "bye" {
		t.Fatalf("Read at the end = %v, want close 1001 bye", err)
	}
	if err := b.Write(ctx, websocket.MessageBinary, []byte("x")); err == nil {
		t.Fatal("a write to a closed pipe succeeded")
	}
	if _, _, err := a.Read(ctx); !errors.As(err, &ce) {
		t.Fatalf("the closing end's own Read = %v, want its close", err)
	}
}

func TestPipeCloseNowDropsUnreadMessages(t *testing.T) {
	a, b := wire.Pipe()
	ctx := ctxT(t)
	a.Write(ctx, websocket.MessageBinary, []byte("never read"))
	b.CloseNow()
	if _, _, err := b.Read(ctx); !errors.Is(err, wire.ErrDropped) {
		t.Fatalf("Read after CloseNow = %v, want ErrDropped", err)
	}
	if err := a.Write(ctx, websocket.MessageBinary, []byte("x")); !errors.Is(err, wire.ErrDropped) {
		t.Fatalf("Write to a dropped pipe = %v, want ErrDropped", err)
	}
}

func TestPipeReadLimit(t *testing.T) {
	a, b := wire.Pipe()
	ctx := ctxT(t)
	b.SetReadLimit(4)
	a.Write(ctx, websocket.MessageBinary, []byte("12345"))
	if _, _, err := b.Read(ctx); !errors.Is(err, websocket.ErrMessageTooBig) {
		t.Fatalf("Read over the limit = %v, want ErrMessageTooBig", err)
	}
	var ce websocket.CloseError
	if _, _, err := a.Read(ctx); !errors.As(err, &ce) || ce.Code != websocket.StatusMessageTooBig {
		t.Fatalf("the writer's end after a too-big message = %v, want close 1009", err)
	}
}

// A writer waits while the other end holds more than a socket's worth,
// and goes on as the reader catches up; a context ends the wait.
func TestPipeWriterWaitsForASlowReader(t *testing.T) {
	a, b := wire.Pipe()
	big := make([]byte, 3<<20)
	ctx := ctxT(t)
	if err := a.Write(ctx, websocket.MessageBinary, big); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := a.Write(short, websocket.MessageBinary, big); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a write beyond the buffer with nobody reading = %v, want it to wait until the deadline", err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Write(ctx, websocket.MessageBinary, big) }()
	if _, got, err := b.Read(ctx); err != nil || len(got) != len(big) {
		t.Fatalf("Read = %d bytes, %v", len(got), err)
	}
	if err := <-done; err != nil {
		t.Fatalf("the waiting write after the reader caught up: %v", err)
	}
}

func ExamplePipe() {
	a, b := wire.Pipe()
	ctx := context.Background()
	a.Write(ctx, websocket.MessageBinary, []byte("hello"))
	a.Close(websocket.StatusNormalClosure, "done")
	_, msg, _ := b.Read(ctx)
	_, _, err := b.Read(ctx)
	fmt.Printf("%s, then %v\n", msg, err)
	// Output: hello, then status = StatusNormalClosure and reason = "done"
}
