package conman_test

import (
	"context"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
)

// FuzzFrames sends arbitrary bytes as frames over a real WebSocket, whole
// and split in two, and checks that pid1 either keeps answering the sender
// or closes it with a protocol close code, and that a bystander session is
// never affected.
func FuzzFrames(f *testing.F) {
	seeds := []*api.Command{
		{Ref: "1", Body: &api.Command_Ping{Ping: &api.Ping{}}},
		{Ref: "2", Body: &api.Command_OpenChan{OpenChan: &api.OpenChannel{Service: "chat", Name: "chatter", Action: api.OpenChannel_ATTACH_OR_CREATE}}},
		{Ref: "3", Body: &api.Command_OpenChan{OpenChan: &api.OpenChannel{Service: "presence", Name: "presencer", Action: api.OpenChannel_ATTACH}}},
		{Channel: 2, Ref: "4", Body: &api.Command_ChatMessage{ChatMessage: &api.ChatMessage{Text: "hi"}}},
		{Channel: 1, Ref: "5", Body: &api.Command_FollowUser{FollowUser: &api.FollowUser{Session: -3}}},
		{Ref: "6", Body: &api.Command_CloseChan{CloseChan: &api.CloseChannel{Id: 2, Action: api.CloseChannel_CLOSE}}},
		{Ref: "7", Body: &api.Command_CloseChan{CloseChan: &api.CloseChannel{Id: -1, Action: 7}}},
		{Ref: "8", Body: &api.Command_OpenChan{OpenChan: &api.OpenChannel{Service: "chat", Action: 9}}},
	}
	for _, s := range seeds {
		f.Add(mustMarshal(f, s))
	}
	f.Add([]byte{})
	f.Add([]byte{0xff, 0xff})

	h := newTestHub(f, nil)
	ctx := context.Background()
	bystander, err := client.Dial(ctx, h.url("bystander"), nil)
	if err != nil {
		f.Fatal(err)
	}
	defer bystander.Close()

	f.Fuzz(func(t *testing.T, frame []byte) {
		for _, parts := range [][][]byte{{frame}, split(frame)} {
			c, err := client.Dial(ctx, h.url("fuzzer"), nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range parts {
				_ = c.SendRaw(ctx, websocket.MessageBinary, p)
			}
			pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			_, perr := c.Ping(pctx)
			cancel()
			if perr != nil {
				select {
				case <-c.Done():
				case <-time.After(5 * time.Second):
					t.Fatalf("no pong and no close after %x: %v", frame, perr)
				}
				if code := websocket.CloseStatus(c.Err()); code != websocket.StatusPolicyViolation {
					t.Fatalf("after %x: ended with %v, want pong or close 1008", frame, c.Err())
				}
			}
			c.Close()
		}
		bctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if _, err := bystander.Ping(bctx); err != nil {
			t.Fatalf("bystander hurt by %x: %v", frame, err)
		}
	})
}

func split(b []byte) [][]byte {
	if len(b) < 2 {
		return [][]byte{b}
	}
	return [][]byte{b[:len(b)/2], b[len(b)/2:]}
}
