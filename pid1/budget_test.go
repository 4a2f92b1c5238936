package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"google.golang.org/protobuf/proto"

	"github.com/pid1/pid1/api"
)

// Clients that ask for a lot and read none of it cannot make pid1 grow
// past its output budget plus its documented headroom: eight sessions
// each asking four times for a 15 MiB file, and eight attached to a chat
// flooded with 64 KiB messages, all never reading.
func TestMemoryStaysWithinTheBudget(t *testing.T) {
	t.Parallel()
	const budget = 64 << 20
	dir := t.TempDir()
	ws := filepath.Join(dir, "ws")
	os.MkdirAll(ws, 0o755)
	if err := os.WriteFile(filepath.Join(ws, "big.bin"), make([]byte, 15<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	p := startOn(t, ws, filepath.Join(dir, "state"), "-memory-budget", "64MiB")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var raws []*websocket.Conn
	var ids []int32
	send := func(raw *websocket.Conn, cmd *api.Command) {
		b, _ := proto.Marshal(cmd)
		if err := raw.Write(ctx, websocket.MessageBinary, b); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 16 {
		raw, _, err := websocket.Dial(ctx, "ws://"+p.addr+"/wsv2/"+token(t, "-state-dir", p.state, "-user", fmt.Sprint("hog", i)), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.CloseNow()
		raws = append(raws, raw)
		open := &api.OpenChannel{Service: "files", Action: api.OpenChannel_CREATE}
		if i >= 8 {
			open = &api.OpenChannel{Service: "chat", Name: "chatter", Action: api.OpenChannel_ATTACH_OR_CREATE}
		}
		send(raw, &api.Command{Ref: "o", Body: &api.Command_OpenChan{OpenChan: open}})
		for { // READY, then the openChanRes: the last the session reads
			_, b, err := raw.Read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var cmd api.Command
			proto.Unmarshal(b, &cmd)
			if res := cmd.GetOpenChanRes(); res != nil {
				ids = append(ids, res.GetId())
				break
			}
		}
	}
	for i := range 8 {
		for range 4 {
			send(raws[i], &api.Command{Channel: ids[i], Body: &api.Command_Read{Read: &api.File{Path: "big.bin"}}})
		}
	}
	chatter := dialAs(t, ctx, p, "talker")
	ch, err := chatter.Open(ctx, "chat", "chatter", api.OpenChannel_ATTACH)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Repeat("c", 64<<10)
	for range 400 { // 25 MiB to each of eight sessions
		if err := ch.Send(ctx, &api.Command{Body: &api.Command_ChatMessage{ChatMessage: &api.ChatMessage{Text: text}}}); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(3 * time.Second)
	peak := vmKiB(t, p.cmd.Process.Pid, "VmHWM") << 10
	if limit := int64(budget + memoryHeadroom); peak > limit {
		t.Fatalf("pid1's peak resident memory was %d MiB, over the budget + headroom (%d MiB)", peak>>20, limit>>20)
	}
	t.Logf("peak resident memory %d MiB (budget %d MiB + headroom %d MiB)", peak>>20, budget>>20, memoryHeadroom>>20)
}

// vmKiB reads a field of /proc/PID/status in KiB.
func vmKiB(t *testing.T, pid int, field string) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}
