package bench

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/coder/websocket"
	"google.golang.org/protobuf/proto"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
)

// Receivers is the number of sessions a fan-out benchmark delivers to.
const Receivers = 100

// window is how many messages the sender has in flight before it waits
// for every receiver to catch up; both variants pace the same way.
const window = 32

// counter totals deliveries and wakes the sender when a target is reached.
type counter struct {
	mu    sync.Mutex
	cond  *sync.Cond
	total int
}

func newCounter() *counter {
	c := &counter{}
	c.cond = sync.NewCond(&c.mu)
	return c
}

func (c *counter) add() {
	c.mu.Lock()
	c.total++
	c.mu.Unlock()
	c.cond.Broadcast()
}

// wait blocks until total reaches target or timeout passes.
func (c *counter) wait(target int, timeout time.Duration) error {
	timer := time.AfterFunc(timeout, c.cond.Broadcast)
	defer timer.Stop()
	deadline := time.Now().Add(timeout)
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.total < target {
		if time.Now().After(deadline) {
			return fmt.Errorf("%d of %d deliveries after %v", c.total, target, timeout)
		}
		c.cond.Wait()
	}
	return nil
}

func chatMessage(text string) *api.Command {
	return &api.Command{Body: &api.Command_ChatMessage{ChatMessage: &api.ChatMessage{Username: "sender", Text: text}}}
}

// pace sends b.N messages with send, window at a time, waiting for all
// Receivers to have each window, and reports deliveries per second.
func pace(b B, n int, cnt *counter, send func() error) {
	b.ResetTimer()
	start := time.Now()
	for sent := 0; sent < n; {
		w := min(window, n-sent)
		for range w {
			if err := send(); err != nil {
				b.Fatal(err)
			}
		}
		sent += w
		if err := cnt.wait(sent*Receivers, 30*time.Second); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(n*Receivers)/time.Since(start).Seconds(), "deliveries/s")
}

// FanoutHub times chat messages from one session to Receivers others
// attached to the same named chat channel, each on its own connection.
func FanoutHub(b B, n int) {
	h, err := StartHub()
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	ctx := context.Background()
	name := fmt.Sprintf("fanout-%d", time.Now().UnixNano())
	cnt := newCounter()
	var wg sync.WaitGroup
	defer wg.Wait()
	dial := func(user string) (*client.Client, *client.Channel) {
		url, err := h.URL(user)
		if err != nil {
			b.Fatal(err)
		}
		c, err := client.Dial(ctx, url, nil)
		if err != nil {
			b.Fatal(err)
		}
		ch, err := c.Open(ctx, "chat", name, api.OpenChannel_ATTACH_OR_CREATE)
		if err != nil {
			b.Fatal(err)
		}
		return c, ch
	}
	for i := range Receivers {
		c, ch := dial(fmt.Sprintf("r%d", i))
		defer c.Close()
		wg.Go(func() {
			for cmd := range ch.Stream() {
				if cmd.GetChatMessage() != nil {
					cnt.add()
				}
			}
		})
	}
	sc, sch := dial("sender")
	defer sc.Close()
	msg := chatMessage("hello, fan-out")
	pace(b, n, cnt, func() error { return sch.Send(ctx, msg) })
}

// FanoutRaw is the baseline: the server writes each frame from the sender
// to Receivers raw WebSocket connections, whose readers unmarshal it.
func FanoutRaw(b B, n int) {
	r, err := StartRaw()
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	ctx := context.Background()
	cnt := newCounter()
	var wg sync.WaitGroup
	defer wg.Wait()
	for range Receivers {
		c, _, err := websocket.Dial(ctx, r.URL("recv"), nil)
		if err != nil {
			b.Fatal(err)
		}
		defer c.CloseNow()
		wg.Go(func() {
			for {
				_, in, err := c.Read(ctx)
				if err != nil {
					return
				}
				var cmd api.Command
				if proto.Unmarshal(in, &cmd) == nil && cmd.GetChatMessage() != nil {
					cnt.add()
				}
			}
		})
	}
	if err := waitFor("raw receivers", func() bool { return r.Receivers() == Receivers }); err != nil {
		b.Fatal(err)
	}
	s, _, err := websocket.Dial(ctx, r.URL("send"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer s.CloseNow()
	msg := chatMessage("hello, fan-out")
	msg.Channel = 1
	pace(b, n, cnt, func() error {
		out, err := proto.Marshal(msg)
		if err != nil {
			return err
		}
		return s.Write(ctx, websocket.MessageBinary, out)
	})
}
