package conman_test

import (
	"bufio"
	"encoding/binary"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman"
)

// A client that announces a frame and sends nothing more (here a header
// claiming 2^62 bytes) is dropped once the frame has stalled, instead of
// holding its connection and reader forever; a slow client whose frame
// keeps arriving is not.
func TestStalledFrameIsDropped(t *testing.T) {
	h := newTestHub(t, func(c *conman.Config) {
		// Far longer than the trickle's pauses below, so that a loaded
		// machine's scheduling delays cannot pass for a stall.
		c.StallTimeout = 1500 * time.Millisecond
		c.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	conn, rd := rawUpgrade(t, h, "staller")
	hdr := []byte{0x82, 0x80 | 127}
	hdr = binary.BigEndian.AppendUint64(hdr, 1<<62)
	hdr = append(hdr, 1, 2, 3, 4) // the mask key; no payload follows
	start := time.Now()
	if _, err := conn.Write(hdr); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.Copy(io.Discard, rd); err != nil { // READY, then the end
		t.Fatalf("the connection was not closed by pid1: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("dropped after %v", d)
	}
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(h.metricsText(t), `pid1_protocol_errors_total{kind="stalled_frame"} 1`); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the stalled frame was not counted")
		}
	}

	// A large frame that keeps arriving, a piece at a time with pauses
	// shorter than the stall timeout, is read whole and answered.
	conn2, rd2 := rawUpgrade(t, h, "trickler")
	payload, err := proto.Marshal(&api.Command{Ref: strings.Repeat("r", 96<<10), Body: &api.Command_Ping{Ping: &api.Ping{}}})
	if err != nil {
		t.Fatal(err)
	}
	frame := []byte{0x82, 0x80 | 127}
	frame = binary.BigEndian.AppendUint64(frame, uint64(len(payload)))
	frame = append(append(frame, 0, 0, 0, 0), payload...) // a zero mask leaves the payload as it is
	for len(frame) > 0 {
		n := min(len(frame), 32<<10)
		if _, err := conn2.Write(frame[:n]); err != nil {
			t.Fatal(err)
		}
		frame = frame[n:]
		time.Sleep(150 * time.Millisecond)
	}
	conn2.SetReadDeadline(time.Now().Add(10 * time.Second))
	var got []byte
	buf := make([]byte, 64<<10)
	for !strings.Contains(string(got), "\xca\x07\x00") { // pong {} (field 121) after the echoed ref
		n, err := rd2.Read(buf)
		if err != nil {
			t.Fatalf("no pong for the slow frame: %v (got %d bytes)", err, len(got))
		}
		got = append(got, buf[:n]...)
	}
}

// rawUpgrade opens a WebSocket to h by hand, so a test can send bytes no
// library would.
func rawUpgrade(t *testing.T, h *testHub, user string) (net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(h.srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	req := "GET /wsv2/user:" + user + " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
	if _, err := conn.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	rd := bufio.NewReader(conn)
	resp, err := http.ReadResponse(rd, nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade: %v %v", resp, err)
	}
	return conn, rd
}

func (h *testHub) metricsText(t *testing.T) string {
	t.Helper()
	resp, err := http.Get(h.metrics.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// counter reads a counter without labels from the hub's /metrics.
func (h *testHub) counter(t *testing.T, name string) int {
	t.Helper()
	for _, line := range strings.Split(h.metricsText(t), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	return 0
}
