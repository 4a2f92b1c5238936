//go:build linux

package sandbox

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A program reopens its standard streams by name, as shells and many
// tools do (echo > /dev/stderr, cat /dev/stdin).
func TestStandardStreamsByName(t *testing.T) {
	s := newTestSandbox(t, Config{MaxRuns: 1})
	o := run(t, s, Spec{Stdin: strings.NewReader("in\n")}, "/bin/sh", "-c",
		"echo out > /dev/stdout && echo err > /dev/stderr && cat /dev/stdin && ls /dev/fd/ > /dev/null && echo fd")
	expect(t, o, Exited, 0)
	if o.stdout != "out\nin\nfd\n" || o.stderr != "err\n" {
		t.Errorf("stdout %q, stderr %q", o.stdout, o.stderr)
	}
}

// startedWriter fails a test that sees output before Started.
type startedWriter struct {
	started *atomic.Bool
	early   atomic.Bool
}

func (w *startedWriter) Write(p []byte) (int, error) {
	if !w.started.Load() {
		w.early.Store(true)
	}
	return len(p), nil
}

// Started is called when a run leaves the queue, once, before its
// output; a run that never leaves the queue never calls it.
func TestStartedAfterTheQueue(t *testing.T) {
	s := newTestSandbox(t, Config{MaxRuns: 1, MaxQueue: 1})
	first := make(chan struct{}, 1)
	inR, inW := io.Pipe()
	defer inW.Close()
	var firstStarted atomic.Bool
	w := &startedWriter{started: &firstStarted}
	firstDone := make(chan error, 1)
	go func() {
		_, err := s.Run(context.Background(), Spec{Argv: []string{"/bin/sh", "-c", "echo early; cat > /dev/null"},
			Stdin: inR, Stdout: w, Started: func() {
				if firstStarted.Swap(true) {
					t.Error("Started called twice")
				}
				first <- struct{}{}
			}})
		firstDone <- err
	}()
	<-first

	// The second waits in the queue: not started while the first runs.
	var secondCalls atomic.Int32
	secondStarted := make(chan struct{}, 1)
	secondDone := make(chan error, 1)
	go func() {
		_, err := s.Run(context.Background(), Spec{Argv: []string{"/bin/true"}, Started: func() {
			secondCalls.Add(1)
			secondStarted <- struct{}{}
		}})
		secondDone <- err
	}()
	for s.waiting.Load() == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	// A third finds the queue full and never starts.
	_, err := s.Run(context.Background(), Spec{Argv: []string{"/bin/true"}, Started: func() { t.Error("a refused run started") }})
	if !errors.Is(err, ErrQueueFull) {
		t.Fatalf("third run: %v, want ErrQueueFull", err)
	}
	if secondCalls.Load() != 0 {
		t.Fatal("a queued run was reported started")
	}
	// Ending the first lets the second start.
	inW.Close()
	if err := <-firstDone; err != nil {
		t.Fatal(err)
	}
	<-secondStarted
	if err := <-secondDone; err != nil {
		t.Fatal(err)
	}
	if w.early.Load() {
		t.Error("output arrived before Started")
	}
	if n := secondCalls.Load(); n != 1 {
		t.Errorf("Started called %d times", n)
	}

	// A run whose context ends while it waits never starts.
	ctx, cancel := context.WithCancel(context.Background())
	blockR, blockW := io.Pipe()
	defer blockW.Close()
	holding := make(chan struct{}, 1)
	holdDone := make(chan error, 1)
	go func() {
		_, err := s.Run(context.Background(), Spec{Argv: []string{"/bin/sh", "-c", "cat > /dev/null"}, Stdin: blockR,
			Started: func() { holding <- struct{}{} }})
		holdDone <- err
	}()
	<-holding
	queued := make(chan error, 1)
	go func() {
		_, err := s.Run(ctx, Spec{Argv: []string{"/bin/true"}, Started: func() { t.Error("a cancelled run started") }})
		queued <- err
	}()
	for s.waiting.Load() == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-queued; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled in the queue: %v", err)
	}
	blockW.Close()
	if err := <-holdDone; err != nil {
		t.Fatal(err)
	}
}
