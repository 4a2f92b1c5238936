package bench

import (
	"context"

	"github.com/coder/websocket"
	"google.golang.org/protobuf/proto"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
)

// PingHub times ping → pong round trips on channel 0 of a pid1 hub,
// through the Go client (marshal, write, hub dispatch, reply, read,
// unmarshal, match by ref).
func PingHub(b B, n int) {
	h, err := StartHub()
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	url, err := h.URL("bench")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	c, err := client.Dial(ctx, url, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	roundTrips(b, n, c, (*api.Command).GetPong)
}

// roundTrips sends n pings on channel 0 with c and checks each answer.
func roundTrips(b B, n int, c *client.Client, answer func(*api.Command) *api.Pong) {
	b.ReportAllocs()
	b.ResetTimer()
	for range n {
		r, err := c.ControlRequest(context.Background(), &api.Command{Body: &api.Command_Ping{Ping: &api.Ping{}}})
		if err != nil {
			b.Fatal(err)
		}
		if answer(r) == nil {
			b.Fatalf("ping answered with %v", r)
		}
	}
}

// PingEcho is the baseline for PingHub: the same client and the same
// Ping call against a raw coder/websocket echo server, which sends the
// ping straight back (the client matches the echo by its ref). Only the
// server differs.
func PingEcho(b B, n int) {
	r, err := StartRaw()
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	ctx := context.Background()
	c, err := client.Dial(ctx, r.URL("echo"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	// The echo of a ping is the ping itself.
	roundTrips(b, n, c, func(r *api.Command) *api.Pong {
		if r.GetPing() == nil {
			return nil
		}
		return &api.Pong{}
	})
}

// PingRaw is the floor: no client library either, just marshal, a raw
// write, a raw read of the echo and unmarshal, in one goroutine.
func PingRaw(b B, n int) {
	r, err := StartRaw()
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	ctx := context.Background()
	c, _, err := websocket.Dial(ctx, r.URL("echo"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.CloseNow()
	if _, _, err := c.Read(ctx); err != nil { // containerState READY
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range n {
		out, err := proto.Marshal(&api.Command{Ref: "k2jd9a0x3mf1", Body: &api.Command_Ping{Ping: &api.Ping{}}})
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Write(ctx, websocket.MessageBinary, out); err != nil {
			b.Fatal(err)
		}
		_, in, err := c.Read(ctx)
		if err != nil {
			b.Fatal(err)
		}
		var reply api.Command
		if err := proto.Unmarshal(in, &reply); err != nil || reply.GetPing() == nil {
			b.Fatalf("echo came back as %v (%v)", &reply, err)
		}
	}
}
