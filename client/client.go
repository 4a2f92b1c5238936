package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"google.golang.org/protobuf/proto"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/internal/bufpool"
	"github.com/pid1/pid1/internal/wire"
	"github.com/pid1/pid1/internal/wsbatch"
)

// ErrClosed is returned for operations on a closed client or channel.
var ErrClosed = errors.New("client: closed")

// Conn is the frame transport a Client runs over: a WebSocket (Dial) or
// the in-memory end the hub's Connect returns (New).
type Conn = wire.Conn

// Client is one connection (one session) to pid1.
type Client struct {
	conn    Conn
	ctx     context.Context
	cancel  context.CancelFunc
	control *stream // unsolicited channel-0 commands

	mu       sync.Mutex
	channels map[int32]*Channel
	pending  map[pendingKey]*waiter
	err      error // why the connection ended
	done     chan struct{}
	dead     chan struct{} // closed by Close: streams stop delivering
	deadOnce sync.Once
	raw      atomic.Bool  // SendRaw was used: channels may be open that we do not know of
	boot     atomic.Value // the last bootStatus stage pid1 sent (api.BootStatus_Stage)
}

// waiter is a pending request. onReply, if set, runs under Client.mu when
// the reply is dispatched, before any later frame is.
type waiter struct {
	reply   chan *api.Command
	onReply func(*api.Command)
}

type pendingKey struct {
	channel int32
	ref     string
}

// Options tune Dial.
type Options struct {
	// ReadLimit is the largest frame accepted from pid1 (default 64 MiB).
	ReadLimit int64
}

// Dial connects to url (ws://host:port/wsv2/TOKEN) and waits for
// containerState READY.
func Dial(ctx context.Context, url string, opts *Options) (*Client, error) {
	dopts := &websocket.DialOptions{}
	var batched *wsbatch.Conn
	dopts.HTTPClient, batched = batchingClient(url, http.ProxyFromEnvironment)
	conn, resp, err := websocket.Dial(ctx, url, dopts)
	if err != nil {
		if resp != nil {
			// pid1 says why it refused (a 401's reason, a 503's limit).
			body := ""
			if resp.Body != nil {
				b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
				resp.Body.Close()
				body = strings.TrimSpace(string(b))
			}
			if body != "" {
				return nil, fmt.Errorf("dial %s: HTTP %d: %s", redact(url), resp.StatusCode, body)
			}
			return nil, fmt.Errorf("dial %s: HTTP %d: %w", redact(url), resp.StatusCode, err)
		}
		return nil, fmt.Errorf("dial %s: %w", redact(url), err)
	}
	limit := int64(64 << 20)
	if opts != nil && opts.ReadLimit > 0 {
		limit = opts.ReadLimit
	}
	conn.SetReadLimit(limit)
	if batched != nil {
		batched.Framing()
	}
	c, err := New(ctx, wire.WebSocket(conn))
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", redact(url), err)
	}
	return c, nil
}

// New runs a client over conn and waits for containerState READY. With
// the end that conman.Hub.Connect returns, it is a client of a hub in the
// same process.
func New(ctx context.Context, conn Conn) (*Client, error) {
	cctx, cancel := context.WithCancel(context.Background())
	dead := make(chan struct{})
	c := &Client{
		dead: dead,
		conn: conn, ctx: cctx, cancel: cancel,
		control:  newStream(dead),
		channels: make(map[int32]*Channel),
		pending:  make(map[pendingKey]*waiter),
		done:     make(chan struct{}),
	}
	ready := make(chan struct{})
	go c.readLoop(ready)
	select {
	case <-ready:
		return c, nil
	case <-c.done:
		return nil, fmt.Errorf("connection ended before READY: %w", c.Err())
	case <-ctx.Done():
		c.Close()
		return nil, fmt.Errorf("waiting for READY: %w", ctx.Err())
	}
}

// redact hides the token in a URL for error messages.
func redact(url string) string {
	const p = "/wsv2/"
	for i := 0; i+len(p) <= len(url); i++ {
		if url[i:i+len(p)] == p {
			return url[:i+len(p)] + "…"
		}
	}
	return url
}

func (c *Client) readLoop(ready chan struct{}) {
	defer c.shutdown()
	readyOnce := sync.Once{}
	for {
		// Unmarshal copies what it keeps, so conn may reuse data's buffer.
		_, data, err := c.conn.Read(c.ctx)
		if err != nil {
			c.fail(err)
			return
		}
		cmd := &api.Command{}
		if err := proto.Unmarshal(data, cmd); err != nil {
			c.fail(fmt.Errorf("undecodable frame from pid1: %w", err))
			return
		}
		if cs := cmd.GetContainerState(); cmd.Channel == 0 && cs != nil && cs.State == api.ContainerState_READY {
			// Dial consumes READY; it is not news on Control.
			readyOnce.Do(func() { close(ready) })
			continue
		}
		if cmd.Channel == 0 && cmd.GetBootStatus() != nil {
			c.boot.Store(cmd.GetBootStatus().GetStage()) // the handshake's, not news on Control
			continue
		}
		c.dispatch(cmd)
	}
}

func (c *Client) dispatch(cmd *api.Command) {
	c.mu.Lock()
	var w *waiter
	if cmd.Ref != "" {
		k := pendingKey{cmd.Channel, cmd.Ref}
		if w = c.pending[k]; w != nil {
			delete(c.pending, k)
			if w.onReply != nil {
				w.onReply(cmd)
			}
		}
	}
	var evicted *Channel
	if res := cmd.GetCloseChanRes(); cmd.Channel == 0 && res != nil && cmd.Ref == "" {
		// pid1 closed the channel for everyone (another session's CLOSE).
		evicted = c.channels[res.Id]
		delete(c.channels, res.Id)
	}
	ch := c.channels[cmd.Channel]
	c.mu.Unlock()
	if w != nil {
		w.reply <- cmd
	}
	if evicted != nil {
		evicted.in.close()
	}
	switch {
	case cmd.Channel == 0:
		if w == nil {
			c.control.push(cmd)
		}
	case ch != nil:
		ch.in.push(cmd)
	case c.raw.Load():
		// A raw frame may have opened this channel behind our back.
		c.control.push(cmd)
	default:
		// pid1 must never do this (crosis dies on it); record it so
		// tests can assert it never happens.
		c.fail(fmt.Errorf("protocol violation: command on channel %d, which is not open", cmd.Channel))
	}
}

func (c *Client) fail(err error) {
	c.mu.Lock()
	if c.err == nil {
		c.err = err
	}
	c.mu.Unlock()
	c.cancel()
}

func (c *Client) shutdown() {
	c.mu.Lock()
	if c.err == nil {
		c.err = ErrClosed
	}
	chans := c.channels
	c.channels = map[int32]*Channel{}
	for k, w := range c.pending {
		close(w.reply)
		delete(c.pending, k)
	}
	c.mu.Unlock()
	for _, ch := range chans {
		ch.in.close()
	}
	c.control.close()
	c.conn.CloseNow()
	close(c.done)
}

// Err says why the connection ended (a websocket.CloseError carries the
// close code and reason); nil while it is up.
func (c *Client) Err() error {
	select {
	case <-c.done:
	default:
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// BootStage is the last boot stage pid1 reported in the handshake
// (COMPLETE once it is ready), and whether it reported any.
func (c *Client) BootStage() (api.BootStatus_Stage, bool) {
	st, ok := c.boot.Load().(api.BootStatus_Stage)
	return st, ok
}

// Done is closed when the connection has ended.
func (c *Client) Done() <-chan struct{} { return c.done }

// Control streams channel-0 commands that answer no request of this client.
func (c *Client) Control() <-chan *api.Command { return c.control.out }

// Close closes the connection normally. Streams stop delivering.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.err == nil {
		c.err = ErrClosed // we ended it; the echoed close frame is not news
	}
	c.mu.Unlock()
	err := c.conn.Close(websocket.StatusNormalClosure, "")
	c.cancel()
	<-c.done
	c.deadOnce.Do(func() { close(c.dead) })
	return err
}

// newRef makes a request ref, base 36 like crosis.
func newRef() string { return strconv.FormatUint(rand.Uint64(), 36) }

// SendRaw writes one frame as is (tests use it for malformed input). Since
// such a frame may open channels the client does not track, from then on
// commands on unknown channels go to Control instead of ending the
// connection as a protocol violation.
func (c *Client) SendRaw(ctx context.Context, typ websocket.MessageType, b []byte) error {
	c.raw.Store(true)
	return c.conn.Write(ctx, typ, b)
}

// sendBufs holds encoding buffers for send. The library is done with the
// bytes when Write returns.
var sendBufs = bufpool.Pool{Max: 4 << 20}

func (c *Client) send(ctx context.Context, cmd *api.Command) error {
	b, err := proto.MarshalOptions{}.MarshalAppend(sendBufs.Get(), cmd)
	if err != nil {
		return err
	}
	defer sendBufs.Put(b)
	if err := c.conn.Write(ctx, websocket.MessageBinary, b); err != nil {
		if e := c.Err(); e != nil {
			return fmt.Errorf("%w: %w", ErrClosed, e)
		}
		return err
	}
	return nil
}

// request sends cmd with a fresh ref and waits for the first command on the
// same channel carrying it.
func (c *Client) request(ctx context.Context, cmd *api.Command) (*api.Command, error) {
	return c.requestThen(ctx, cmd, nil)
}

// requestThen is request with a hook run as the reply is dispatched.
func (c *Client) requestThen(ctx context.Context, cmd *api.Command, onReply func(*api.Command)) (*api.Command, error) {
	if cmd.Ref == "" {
		cmd.Ref = newRef()
	}
	w := &waiter{reply: make(chan *api.Command, 1), onReply: onReply}
	k := pendingKey{cmd.Channel, cmd.Ref}
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return nil, c.err
	}
	c.pending[k] = w
	c.mu.Unlock()
	if err := c.send(ctx, cmd); err != nil {
		c.mu.Lock()
		delete(c.pending, k)
		c.mu.Unlock()
		return nil, err
	}
	select {
	case r, ok := <-w.reply:
		if !ok {
			return nil, fmt.Errorf("%w: %w", ErrClosed, c.Err())
		}
		return r, nil
	case <-ctx.Done():
		c.mu.Lock()
		delete(c.pending, k)
		c.mu.Unlock()
		return nil, ctx.Err()
	}
}

// Ping sends ping on channel 0 and returns the round-trip time.
func (c *Client) Ping(ctx context.Context) (time.Duration, error) {
	start := time.Now()
	r, err := c.request(ctx, &api.Command{Body: &api.Command_Ping{Ping: &api.Ping{}}})
	if err != nil {
		return 0, err
	}
	if r.GetPong() == nil {
		return 0, fmt.Errorf("ping answered with %v", r)
	}
	return time.Since(start), nil
}

// ControlRequest sends an arbitrary channel-0 command and waits for its reply.
func (c *Client) ControlRequest(ctx context.Context, cmd *api.Command) (*api.Command, error) {
	cmd.Channel = 0
	return c.request(ctx, cmd)
}
