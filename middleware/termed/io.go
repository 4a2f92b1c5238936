package termed

import (
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/internal/feed"
	"github.com/pid1/pid1/internal/textstream"
)

const (
	maxMessage = 1 << 20 // the most one output message carries
	// highWater is how much any attached session may have waiting before
	// the reader stops reading the pty.
	highWater = 1 << 20
	// drainWait is how long Drain waits for output still on its way.
	drainWait = 20 * time.Millisecond
)

// input queues s for the pty.
func (t *Term) input(s string) error {
	select {
	case <-t.done:
		return errors.New("the terminal is closed")
	default:
	}
	if err := t.in.Put(s); err != nil {
		return fmt.Errorf("input is full: the program is not reading its terminal (%d KiB wait already)", feed.MaxBytes>>10)
	}
	return nil
}

func (t *Term) writeInput() { t.in.Drain(t.master, t.done) }

// pump sends what the pty prints until the terminal is closed. While
// the pacer allows no message it keeps reading into the next one, up to
// maxMessage; when the message is full, or a session is behind, it stops
// reading, which blocks the program.
//
// It reads into two buffers in turn: while the channel's actor turns one
// into a message (a copy, and the garbage collector's share for it), the
// pump is already reading the pty into the other, so the program writing
// is held up only by the reads.
func (t *Term) pump() {
	pacer, paced := t.pacer, t.pacer != nil
	var bufs [2][]byte
	bufs[0] = make([]byte, maxMessage)
	buf := bufs[0]
	next := func() { // the other buffer; its last message was queued (await)
		if bufs[1] == nil {
			bufs[1] = make([]byte, maxMessage) // only once output is heavy
		}
		bufs[0], bufs[1] = bufs[1], bufs[0]
		buf = bufs[0]
	}
	text := new(textstream.Chunker) // used on the actor only, in order
	var prev chan struct{}          // closed when the last message is queued
	n := 0
	for {
		if req := t.drainRequest(); req != nil {
			// A program's last write reaches the master side through the
			// kernel's flip buffer a moment after the program may have
			// exited: give it that moment.
			n += t.readMore(buf[n:], time.Now().Add(drainWait))
			ok := t.await(prev)
			if ok {
				prev = t.post(text, buf[:n])
				ok = t.await(prev)
			}
			n, prev = 0, nil
			close(req)
			if !ok {
				return
			}
			continue
		}
		if n == 0 {
			t.master.SetReadDeadline(time.Time{})
			m, err := t.master.Read(buf)
			if errors.Is(err, os.ErrDeadlineExceeded) {
				continue // Drain woke us
			}
			if err != nil {
				return // closed (a pty whose tty pid1 holds open never reports EOF)
			}
			n = m
		}
		n += t.readNow(buf[n:])
		if !t.waitForClients() {
			return
		}
		if paced && n < len(buf) {
			if wait := pacer.Reserve(); wait > 0 {
				n += t.readMore(buf[n:], time.Now().Add(wait))
				continue // ask again with what was gathered meanwhile
			}
		} else if paced && pacer.Pace(t.ch.Context()) != nil {
			return
		}
		// The previous message must be queued before this one (order), and
		// before its buffer is read into again.
		if !t.await(prev) {
			return
		}
		if prev = t.post(text, buf[:n]); prev == nil {
			return
		}
		next()
		n = 0
	}
}

// readMore reads what the pty has (waiting until deadline) into b.
func (t *Term) readMore(b []byte, deadline time.Time) int {
	n := 0
	t.master.SetReadDeadline(deadline)
	for n < len(b) {
		m, err := t.master.Read(b[n:])
		n += m
		if err != nil || m == 0 {
			break
		}
	}
	return n
}

// readNow reads what the pty holds at this moment into b, without
// waiting. (A read deadline of now cannot do this: a read whose deadline
// has passed fails before it reads.)
func (t *Term) readNow(b []byte) int {
	t.master.SetReadDeadline(time.Time{})
	n := 0
	for n < len(b) {
		m := 0
		err := t.raw.Read(func(fd uintptr) bool {
			m, _ = unix.Read(int(fd), b[n:])
			return true // never wait for more
		})
		if err != nil || m <= 0 {
			break
		}
		n += m
	}
	return n
}

// waitForClients holds the reader back while a session is behind; one that
// stays behind is cut off by the hub (Channel.Throttle), so the others go
// on. It reports false when the terminal closed meanwhile.
func (t *Term) waitForClients() bool {
	return t.ch.Throttle(highWater, t.done)
}

// post turns b into the next output message on the channel's actor, so
// that it is ordered with the service's own messages, and broadcasts it.
// b must stay untouched until the returned channel is closed, once the
// message is queued; nil means the channel is gone.
func (t *Term) post(text *textstream.Chunker, b []byte) chan struct{} {
	sent := make(chan struct{})
	if len(b) == 0 {
		close(sent)
		return sent
	}
	if !t.ch.Post(func() {
		if out := text.Next(b, false); out != "" {
			services.Broadcast(t.ch, &api.Command{Body: &api.Command_Output{Output: out}})
		}
		close(sent)
	}) {
		return nil
	}
	return sent
}

// await waits for a posted message; false if the terminal closed first.
func (t *Term) await(sent chan struct{}) bool {
	if sent == nil {
		return true
	}
	select {
	case <-sent:
		return true
	case <-t.done:
		return false
	}
}

func (t *Term) drainRequest() chan struct{} {
	select {
	case req := <-t.drains:
		return req
	default:
		return nil
	}
}

// Drain sends what the pty holds now and returns once it is queued (or
// after a second). A service calls it when its process has exited, before
// saying so, so that the process's last output comes first.
func (t *Term) Drain() {
	req := make(chan struct{})
	select {
	case t.drains <- req:
	case <-t.done:
		return
	}
	give := time.After(time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		if len(t.drains) > 0 { // not picked up yet: wake a blocked read
			t.master.SetReadDeadline(time.Now())
		}
		select {
		case <-req:
			return
		case <-t.done:
			return
		case <-give:
			return
		case <-tick.C:
		}
	}
}
