package conman_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"google.golang.org/protobuf/proto"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman"
	"github.com/pid1/pid1/conman/services"
)

// producer is a service for this test that, when asked, sends chunks
// chunks of 32 KiB, waiting on Throttle before each as a pty reader does.
type producer struct{ ch services.Channel }

const (
	producerChunks = 256
	producerLimit  = 64 << 10
)

func (p *producer) Command(s services.Session, cmd *api.Command) error {
	chunk := strings.Repeat("p", 32<<10)
	p.ch.Go(func(ctx context.Context) {
		for range producerChunks {
			if !p.ch.Throttle(producerLimit, ctx.Done()) {
				return
			}
			sent := make(chan struct{})
			if !p.ch.Post(func() {
				services.Broadcast(p.ch, &api.Command{Body: &api.Command_Output{Output: chunk}})
				close(sent)
			}) {
				return
			}
			<-sent
		}
	})
	return nil
}

var producerDescriptor = services.Descriptor{Name: "producer", New: func(ch services.Channel) (services.Service, error) {
	return &producer{ch: ch}, nil
}}

// A lone viewer that stops reading for much longer than the slow-viewer
// grace holds its producer back (nobody else is waiting on it) and is not
// cut off: once it reads again, everything arrives.
func TestLoneSlowViewerIsThrottledNotCutOff(t *testing.T) {
	t.Parallel()
	h := newTestHub(t, func(c *conman.Config) {
		c.Registry.Register(producerDescriptor)
		c.SlowViewerGrace = 50 * time.Millisecond
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	raw, _, err := websocket.Dial(ctx, h.url("lone"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.CloseNow()
	raw.SetReadLimit(-1)
	write := func(c *api.Command) {
		if err := raw.Write(ctx, websocket.MessageBinary, mustMarshal(t, c)); err != nil {
			t.Fatal(err)
		}
	}
	read := func() *api.Command {
		_, b, err := raw.Read(ctx)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		var c api.Command
		if err := proto.Unmarshal(b, &c); err != nil {
			t.Fatal(err)
		}
		return &c
	}
	write(&api.Command{Ref: "o", Body: &api.Command_OpenChan{OpenChan: &api.OpenChannel{Service: "producer", Action: api.OpenChannel_CREATE}}})
	var id int32
	for id == 0 {
		if c := read(); c.Ref == "o" {
			id = c.GetOpenChanRes().GetId()
			if id == 0 {
				t.Fatalf("open: %v", c)
			}
		}
	}
	write(&api.Command{Channel: id, Body: &api.Command_Output{Output: "go"}})
	// Far longer than the grace, with 8 MiB to come: the hub's queue for
	// this session passes the producer's limit while it sleeps.
	time.Sleep(time.Second)
	got := 0
	for got < producerChunks {
		if c := read(); c.Channel == id && c.GetOutput() != "" {
			got++
		}
	}
	if h.slowDisconnects() {
		t.Fatal("the lone viewer was counted as a slow client")
	}
}
