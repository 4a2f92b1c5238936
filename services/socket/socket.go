package socket

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/internal/feed"
)

// Config configures the service.
type Config struct {
	// AnyDestination allows connections beyond the loopback addresses.
	AnyDestination bool
	// DialTimeout bounds a connect; zero means DefaultDialTimeout.
	DialTimeout time.Duration
}

// DefaultDialTimeout bounds a connect.
const DefaultDialTimeout = 10 * time.Second

// readChunk is the most one `recv` carries.
const readChunk = 32 << 10

// highWater is how much may wait for the slowest session before reading
// from the peer stops until it catches up.
const highWater = 1 << 20

// Descriptor registers the service.
func Descriptor(cfg Config) services.Descriptor {
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = DefaultDialTimeout
	}
	return services.Descriptor{Name: "socket", Writes: services.BodySet("connect", "send", "disconnect"),
		New: func(ch services.Channel) (services.Service, error) {
			return &Socket{cfg: cfg, ch: ch}, nil
		}}
}

// Socket is one socket channel. Its fields are used on the channel's
// actor.
type Socket struct {
	cfg     Config
	ch      services.Channel
	conn    *conn // nil when not connected
	dialing string
	closed  bool
}

// conn is one connection.
type conn struct {
	net.Conn
	addr string
	out  *feed.Queue
	done chan struct{} // closed when the connection is dropped
}

var _ services.Service = (*Socket)(nil)

// Command handles connect, send and disconnect.
func (s *Socket) Command(se services.Session, cmd *api.Command) error {
	switch b := cmd.Body.(type) {
	case *api.Command_Connect:
		return s.connect(se, cmd, b.Connect)
	case *api.Command_Send:
		if s.conn == nil {
			return s.notConnected()
		}
		if err := s.conn.out.Put(string(b.Send.GetBuff())); err != nil {
			return fmt.Errorf("the connection to %s is not taking what was sent (%v)", s.conn.addr, err)
		}
		if cmd.Ref != "" {
			services.Reply(s.ch, se, cmd, services.OK())
		}
		return nil
	case *api.Command_Disconnect:
		if s.conn == nil {
			return s.notConnected()
		}
		s.drop(s.conn, nil)
		services.Reply(s.ch, se, cmd, services.OK())
		return nil
	}
	return fmt.Errorf("socket takes connect, send and disconnect, not %s", services.BodyName(cmd))
}

func (s *Socket) notConnected() error {
	if s.dialing != "" {
		return fmt.Errorf("still connecting to %s", s.dialing)
	}
	return errors.New(`not connected: connect { proto: "tcp", addr: "host:port" } first`)
}

// connect dials on a goroutine of the channel's; the requester is
// answered when the connection is up or has failed.
func (s *Socket) connect(se services.Session, cmd *api.Command, c *api.Connect) error {
	switch {
	case s.conn != nil:
		return fmt.Errorf("already connected to %s: disconnect first", s.conn.addr)
	case s.dialing != "":
		return fmt.Errorf("already connecting to %s", s.dialing)
	}
	network := c.GetProto()
	switch network {
	case "":
		network = "tcp"
	case "tcp", "tcp4", "tcp6":
	default:
		return fmt.Errorf("proto %q: only tcp connections are offered", c.GetProto())
	}
	addr := c.GetAddr()
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return fmt.Errorf("addr %q: want host:port (%v)", addr, err)
	}
	d := net.Dialer{Timeout: s.cfg.DialTimeout, Control: destinationCheck(s.cfg.AnyDestination)}
	s.dialing = addr
	started := s.ch.Go(func(ctx context.Context) {
		nc, err := d.DialContext(ctx, network, addr)
		if !s.ch.Post(func() {
			s.dialing = ""
			if err != nil {
				services.Reply(s.ch, se, cmd, services.ErrorCommand(dialError(err)))
				return
			}
			if s.closed {
				nc.Close()
				return
			}
			s.attach(nc, addr)
			services.Reply(s.ch, se, cmd, services.OK())
		}) && nc != nil {
			nc.Close()
		}
	})
	if !started {
		s.dialing = ""
		return errors.New("the channel is closing")
	}
	return nil
}

// dialError is what a failed connect says: the dialer's error without the
// Go-specific wrapping of a refused destination.
func dialError(err error) string {
	var refused *destinationError
	if errors.As(err, &refused) {
		return refused.Error()
	}
	return err.Error()
}

// attach starts the reader and writer of a new connection.
func (s *Socket) attach(nc net.Conn, addr string) {
	c := &conn{Conn: nc, addr: addr, out: feed.New(), done: make(chan struct{})}
	s.conn = c
	s.ch.Logger().Info("socket: connected", "addr", addr, "remote", nc.RemoteAddr().String())
	if !s.ch.Go(func(ctx context.Context) { c.out.Drain(c, c.done) }) {
		s.drop(c, nil)
		return
	}
	if !s.ch.Go(func(context.Context) { s.read(c) }) {
		s.drop(c, nil)
	}
}

// read relays what arrives until the connection ends.
func (s *Socket) read(c *conn) {
	buf := make([]byte, readChunk)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			cmd := &api.Command{Body: &api.Command_Recv{Recv: &api.Recv{Buff: append([]byte(nil), buf[:n]...)}}}
			sent := make(chan struct{})
			if !s.ch.Post(func() {
				if s.conn == c {
					services.Broadcast(s.ch, cmd)
				}
				close(sent)
			}) {
				return
			}
			<-sent
			if !s.ch.Throttle(highWater, c.done) {
				return
			}
		}
		if err != nil {
			s.ch.Post(func() {
				if errors.Is(err, io.EOF) {
					err = nil
				}
				s.drop(c, err)
			})
			return
		}
	}
}

// drop closes c, if it is still the channel's connection, and tells
// everyone attached; why is nil for a clean end.
func (s *Socket) drop(c *conn, why error) {
	if s.conn != c {
		return
	}
	s.conn = nil
	close(c.done)
	c.out.Close()
	c.Close()
	msg := ""
	if why != nil && !errors.Is(why, net.ErrClosed) && !errors.Is(why, os.ErrDeadlineExceeded) {
		msg = why.Error()
	}
	s.ch.Logger().Info("socket: disconnected", "addr", c.addr, "error", msg)
	services.Broadcast(s.ch, &api.Command{Body: &api.Command_Disconnect{Disconnect: &api.Disconnect{Error: msg}}})
}

// Close drops the connection.
func (s *Socket) Close() {
	s.closed = true
	if s.conn != nil {
		c := s.conn
		s.conn = nil
		close(c.done)
		c.out.Close()
		c.Close()
	}
}
