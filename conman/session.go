package conman

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/internal/wire"
)

// session is one client connection: a WebSocket, or an in-memory pipe
// of pid1's own (Hub.Connect).
type session struct {
	hub  *Hub
	id   int32
	user services.User
	conn wire.Conn
	log  *slog.Logger
	out  *outQueue
	held atomic.Int64 // bytes of the hub's memory budget its queue holds

	ctx    context.Context // ends when the session is over
	cancel context.CancelFunc
	// writes ends when a write in progress must give up: the session was
	// cut off, and what it holds should go now.
	writes      context.Context
	abortWrites context.CancelFunc

	mu    sync.Mutex
	chans map[int32]*channel // channels this session has open, by id

	// wmu is held while frames are written: by the writer around each
	// batch, and by sendPong writing a pong itself on an idle session.
	wmu sync.Mutex

	greeted bool // announcements reach it (guarded by the hub's mu)

	closeOnce   sync.Once
	closeCode   websocket.StatusCode
	closeReason string
	flushFirst  bool          // write what is queued before closing
	closing     chan struct{} // closed by closeWith
	writerDone  chan struct{}
}

func (s *session) public() services.Session { return services.Session{ID: s.id, User: s.user} }

// enqueue queues an encoded frame, taking over the caller's reference to
// it; a full queue, or a user over its share of the memory budget,
// disconnects the session.
func (s *session) enqueue(f frame) { s.queue(f, false) }

// queue is enqueue, ahead of the channels' output when urgent.
func (s *session) queue(f frame, urgent bool) {
	if !s.reserve(len(f.b)) {
		f.release()
		return
	}
	pushed := false
	if urgent {
		pushed = s.out.pushUrgent(f)
	} else {
		pushed = s.out.push(f)
	}
	if pushed {
		s.hub.metrics.commandsOut.Inc()
		return
	}
	s.unreserve(len(f.b))
	f.release()
	select {
	case <-s.closing:
		return // already going away; the frame is moot
	default:
	}
	s.log.Warn("disconnecting slow client", "queued_frames_limit", s.out.maxFrames, "queued_bytes_limit", s.out.maxBytes)
	s.cutOff("slow client: outgoing queue full, pid1 disconnected it")
}

// cutOff disconnects a session that cannot keep up (close 1013), counted
// in pid1_slow_client_disconnects_total.
func (s *session) cutOff(reason string) {
	select {
	case <-s.closing:
		return
	default:
	}
	s.hub.metrics.slowDisconnect.Inc()
	s.log.Warn("cutting off a slow client", "reason", reason)
	s.closeWith(websocket.StatusTryAgainLater, reason, false)
	// What is queued goes now. A write already under way gets the same
	// grace as the closing handshake: aborting it midway would tear the
	// connection down with no close frame, so a client that wakes up now
	// still learns why it was cut off; one that does not read is dropped
	// when the grace ends.
	s.unreserve(s.out.drop())
	time.AfterFunc(closeGrace, s.abortWrites)
}

// sendControl queues a channel-0 command to this session.
func (s *session) sendControl(cmd *api.Command) {
	if f, ok := s.encodeControl(cmd); ok {
		s.enqueue(f)
	}
}

// sendPong queues a pong ahead of the channels' queued output (as HTTP/2
// sends PING acknowledgements before other frames): a client's heartbeat
// measures the connection, not how much a flooding terminal has queued.
// Nothing else may jump the queue: channel output must keep its order
// with the openChanRes and closeChanRes around it.
//
// On an idle session (nothing queued, nothing being written) the reader
// writes the pong itself: a heartbeat then costs no hand-over to the
// writer goroutine, which on a machine with idle CPUs means waking a
// thread.
func (s *session) sendPong(ref string) {
	f, ok := s.encodeControl(&api.Command{Ref: ref, Body: &api.Command_Pong{Pong: &api.Pong{}}})
	if !ok {
		return
	}
	if s.out.idle() && s.wmu.TryLock() {
		direct := s.out.idle() // the writer may have taken a batch meanwhile
		ok := direct && s.write(f)
		s.wmu.Unlock()
		if direct {
			s.hub.metrics.commandsOut.Inc()
			if !ok {
				s.cutOff(writeTimedOut)
			}
			return
		}
	}
	s.queue(f, true)
}

// reserve takes n bytes of the hub's memory budget for a frame to this
// session. It reports false, after cutting the session off, when its
// user is over its share. When the whole budget is over, the session
// holding the most is cut off instead.
func (s *session) reserve(n int) bool {
	over, err := s.hub.budget.reserve(s.user.ID, int64(n))
	if err != nil {
		s.cutOff(err.Error())
		return false
	}
	s.held.Add(int64(n))
	if over {
		s.hub.cutLargest()
	}
	return true
}

// unreserve gives back n bytes this session held.
func (s *session) unreserve(n int) {
	s.held.Add(-int64(n))
	s.hub.budget.release(s.user.ID, int64(n))
}

func (s *session) encodeControl(cmd *api.Command) (frame, bool) {
	cmd.Channel = 0
	cmd.Session = s.id
	f, err := encodeFrame(cmd)
	if err != nil {
		s.log.Error("cannot encode control command", "err", err)
		return frame{}, false
	}
	return f, true
}

func (s *session) channel(id int32) *channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.chans[id]
}

func (s *session) forgetChannel(c *channel) {
	s.mu.Lock()
	if s.chans[c.info.ID] == c {
		delete(s.chans, c.info.ID)
	}
	s.mu.Unlock()
}

// closeWith ends the session with a close code. With flush, frames already
// queued (say a protocolError) are written first.
func (s *session) closeWith(code websocket.StatusCode, reason string, flush bool) {
	s.closeOnce.Do(func() {
		s.closeCode, s.closeReason, s.flushFirst = code, reason, flush
		close(s.closing)
		s.out.close()
	})
}

// writeLoop drains the outgoing queue onto the socket until the session
// closes, then sends the close frame.
func (s *session) writeLoop() {
	defer close(s.writerDone)
	var batch []frame
	for {
		select {
		case <-s.out.wake:
		case <-s.ctx.Done():
			s.conn.CloseNow()
			return
		}
		select {
		case <-s.closing:
			if s.flushFirst {
				s.wmu.Lock()
				s.writeAll(s.out.take(batch))
				s.wmu.Unlock()
			}
			s.finish()
			return
		default:
		}
		s.wmu.Lock()
		batch = s.out.take(batch)
		ok := s.writeAll(batch)
		s.wmu.Unlock()
		if !ok {
			clear(batch) // what was not written goes now
		}
		s.unreserve(s.out.written())
		if !ok {
			s.cutOff(writeTimedOut)
			s.finish()
			return
		}
	}
}

// writeAll writes frames, and before each one any urgent frame (a pong)
// queued meanwhile, so that one waits for at most one frame.
func (s *session) writeAll(frames []frame) bool {
	var urgent []frame
	for i, f := range frames {
		if i > 0 {
			urgent = s.out.takeUrgent(urgent)
			for j, u := range urgent {
				ok := s.write(u)
				urgent[j] = frame{}
				if !ok {
					return false
				}
			}
		}
		ok := s.write(f)
		frames[i] = frame{}
		if !ok {
			return false
		}
	}
	return true
}

// write writes f and, once it is written, releases it. A frame whose write
// failed is not released: the library may not be done with its bytes.
func (s *session) write(f frame) bool {
	b := f.b
	ctx, cancel := context.WithTimeout(s.writes, s.hub.cfg.WriteTimeout)
	err := s.conn.Write(ctx, websocket.MessageBinary, b)
	cancel()
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			s.log.Debug("write failed", "err", err)
		}
		return false
	}
	s.hub.metrics.bytesOut.Add(float64(len(b)))
	f.release()
	return true
}

// writeTimedOut is why a session whose write timed out is cut off.
const writeTimedOut = "slow client: write timed out"

// closeGrace is how long a closing handshake, or a write under way when a
// session is cut off, may take before the connection is dropped.
const closeGrace = 2 * time.Second

// finish sends the close frame, giving the client a moment to answer.
func (s *session) finish() {
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.conn.Close(s.closeCode, s.closeReason)
	}()
	select {
	case <-done:
	case <-time.After(closeGrace):
		s.conn.CloseNow()
	}
}
