package bench

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/coder/websocket"
	"google.golang.org/protobuf/proto"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
)

// FloodGap is what a viewer of a shared terminal sees while the terminal
// floods: the longest pause between two of its output messages, and how
// long the flood took to reach it.
type FloodGap struct {
	MaxGap, Total time.Duration
}

// StalledViewerGap floods a shared shell (`cat` of a size-byte file) and
// measures what a viewer that reads sees, with another viewer attached
// that never reads (stalled) or without it.
func StalledViewerGap(size int, stalled bool) (FloodGap, error) {
	file, rm, err := textFile(size)
	if err != nil {
		return FloodGap{}, err
	}
	defer rm()
	home, err := os.MkdirTemp("", "pid1-bench-home-")
	if err != nil {
		return FloodGap{}, err
	}
	defer os.RemoveAll(home)
	os.Setenv("HOME", home)
	h, err := StartHub()
	if err != nil {
		return FloodGap{}, err
	}
	defer h.Close()
	url, err := h.URL("viewer")
	if err != nil {
		return FloodGap{}, err
	}
	ctx := context.Background()
	c, err := client.Dial(ctx, url, nil)
	if err != nil {
		return FloodGap{}, err
	}
	defer c.Close()
	ch, err := c.Open(ctx, "shell", "shared", api.OpenChannel_ATTACH_OR_CREATE)
	if err != nil {
		return FloodGap{}, err
	}
	if err := typeAndWait(ch, "PS1='$ '; echo READY-$((1+1))\r", "READY-2", 30*time.Second); err != nil {
		return FloodGap{}, err
	}
	if stalled {
		surl, err := h.URL("sleepy")
		if err != nil {
			return FloodGap{}, err
		}
		raw, _, err := websocket.Dial(ctx, surl, nil)
		if err != nil {
			return FloodGap{}, err
		}
		defer raw.CloseNow()
		open, _ := proto.Marshal(&api.Command{Ref: "o", Body: &api.Command_OpenChan{OpenChan: &api.OpenChannel{
			Service: "shell", Name: "shared", Action: api.OpenChannel_ATTACH}}})
		if err := raw.Write(ctx, websocket.MessageBinary, open); err != nil {
			return FloodGap{}, err
		}
		time.Sleep(200 * time.Millisecond) // attached; it reads nothing from now on
	}
	if err := ch.Send(ctx, &api.Command{Body: &api.Command_Input{Input: "cat " + file + "; echo FLOOD-$((40+2))\r"}}); err != nil {
		return FloodGap{}, err
	}
	var g FloodGap
	start, last := time.Now(), time.Time{}
	var tail string
	deadline := time.After(5 * time.Minute)
	for {
		select {
		case cmd, ok := <-ch.Stream():
			if !ok {
				return FloodGap{}, fmt.Errorf("the shell's stream ended")
			}
			out := cmd.GetOutput()
			if out == "" {
				continue
			}
			now := time.Now()
			if !last.IsZero() && now.Sub(last) > g.MaxGap {
				g.MaxGap = now.Sub(last)
			}
			last = now
			tail = (tail + out)[max(0, len(tail)+len(out)-64):]
			if strings.Contains(tail, "FLOOD-42") {
				g.Total = now.Sub(start)
				return g, nil
			}
		case <-deadline:
			return FloodGap{}, fmt.Errorf("the flood did not end within 5 minutes")
		}
	}
}
