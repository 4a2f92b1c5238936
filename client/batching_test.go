package client_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"google.golang.org/protobuf/proto"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
)

// echoServer says READY and then sends every frame back as it came.
func echoServer(t *testing.T) string {
	t.Helper()
	ready, err := proto.Marshal(&api.Command{Body: &api.Command_ContainerState{
		ContainerState: &api.ContainerState{State: api.ContainerState_READY}}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		c.SetReadLimit(64 << 20)
		ctx := r.Context()
		if c.Write(ctx, websocket.MessageBinary, ready) != nil {
			return
		}
		for {
			typ, b, err := c.Read(ctx)
			if err != nil || c.Write(ctx, typ, b) != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/wsv2/x"
}

// TestLargeAndOddSizedMessagesCrossIntact sends messages whose sizes sit
// on and around the library's 4 KiB buffer, the frame header forms and
// the batch size, from several goroutines at once (so encoding buffers
// are reused across them), and checks each comes back byte for byte.
func TestLargeAndOddSizedMessagesCrossIntact(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, echoServer(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sizes := []int{0, 1, 100, 4070, 4080, 4090, 4096, 4100, 8192, 65_530, 65_536, 1<<20 - 20, 1 << 20, 1<<20 + 20, 3 << 20}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i, n := range sizes {
				want := bytes.Repeat([]byte{byte('a' + (g*len(sizes)+i)%26)}, n)
				r, err := c.ControlRequest(ctx, &api.Command{Body: &api.Command_Write{Write: &api.File{Path: "f", Content: want}}})
				if err != nil {
					t.Errorf("%d bytes: %v", n, err)
					return
				}
				if got := r.GetWrite().GetContent(); !bytes.Equal(got, want) {
					t.Errorf("%d bytes sent, %d came back (or different ones)", n, len(got))
				}
			}
		})
	}
	wg.Wait()
}
