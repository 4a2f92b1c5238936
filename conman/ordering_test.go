package conman_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/pid1/pid1/api"
)

// While one session broadcasts without pause, others attach and detach
// over and over. The client fails the connection on any command for a
// channel it does not have open (what kills crosis), so every connection
// surviving proves pid1 never sends a channel's traffic before openChanRes
// or after closeChanRes.
func TestNoTrafficOutsideOpenWindow(t *testing.T) {
	t.Parallel()
	h := newTestHub(t, nil)
	talker := open(t, h.dial(t, "talker"), "chat", "chatter", api.OpenChannel_ATTACH_OR_CREATE)
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(200 * time.Microsecond)
		defer tick.Stop()
		for ctx.Err() == nil {
			if talker.Send(ctx, chatMsg("tick")) != nil {
				return
			}
			<-tick.C
		}
	}()
	actions := []api.CloseChannel_Action{api.CloseChannel_DISCONNECT, api.CloseChannel_TRY_CLOSE}
	var cwg sync.WaitGroup
	for i := range 5 {
		c := h.dial(t, "churn")
		cwg.Add(1)
		go func() {
			defer cwg.Done()
			for j := range 40 {
				ch, err := c.Open(ctx, "chat", "chatter", api.OpenChannel_ATTACH)
				if err != nil {
					t.Errorf("client %d round %d: open: %v", i, j, err)
					return
				}
				<-ch.Stream() // at least one broadcast (or scrollback) arrives
				if _, err := ch.Close(ctx, actions[j%2]); err != nil {
					t.Errorf("client %d round %d: close: %v", i, j, err)
					return
				}
			}
			if _, err := c.Ping(ctx); err != nil {
				t.Errorf("client %d: %v (connection error: %v)", i, err, c.Err())
			}
		}()
	}
	cwg.Wait()
	stop()
	wg.Wait()
}
