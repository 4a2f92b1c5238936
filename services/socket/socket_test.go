package socket_test

import (
	"bytes"
	"crypto/rand"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/services/socket"
	"github.com/pid1/pid1/test/kit/servicetest"
)

// listen runs a TCP server on 127.0.0.1 that hands each connection to
// serve.
func listen(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); serve(c) }()
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return ln.Addr().String()
}

// echo echoes lines back in upper case.
func echo(c net.Conn) {
	buf := make([]byte, 4096)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			c.Write(bytes.ToUpper(buf[:n]))
		}
		if err != nil {
			return
		}
	}
}

func connect(addr string) *api.Command {
	return &api.Command{Body: &api.Command_Connect{Connect: &api.Connect{Proto: "tcp", Addr: addr}}}
}

func send(s string) *api.Command {
	return &api.Command{Body: &api.Command_Send{Send: &api.Send{Buff: []byte(s)}}}
}

var disconnect = &api.Command{Body: &api.Command_Disconnect{Disconnect: &api.Disconnect{}}}

// recvUntil reads recv commands until want bytes have come, failing on
// anything else.
func recvUntil(t *testing.T, ch *client.Channel, want int) []byte {
	t.Helper()
	var got []byte
	for len(got) < want {
		cmd := servicetest.Next(t, ch)
		r := cmd.GetRecv()
		if r == nil {
			t.Fatalf("after %d bytes: %v", len(got), cmd)
		}
		got = append(got, r.Buff...)
	}
	return got
}

// A connection to a local server: what is sent reaches it, what it
// answers reaches everyone attached, disconnect ends it for everyone.
func TestConnectSendRecvDisconnect(t *testing.T) {
	addr := listen(t, echo)
	url := servicetest.Serve(t, socket.Descriptor(socket.Config{}))
	a := servicetest.Open(t, url("ada"), "socket", "sock")
	b := servicetest.Open(t, url("ro:bob"), "socket", "sock")
	if r := servicetest.Request(t, a, connect(addr)); r.GetOk() == nil {
		t.Fatalf("connect: %v", r)
	}
	if r := servicetest.Request(t, a, send("hello\n")); r.GetOk() == nil {
		t.Fatalf("send: %v", r)
	}
	for _, ch := range []*client.Channel{a, b} {
		if got := string(recvUntil(t, ch, 6)); got != "HELLO\n" {
			t.Fatalf("recv: %q", got)
		}
	}
	// A read-only session watches but may not drive the connection.
	for _, cmd := range []*api.Command{connect(addr), send("x"), disconnect} {
		if r := servicetest.Request(t, b, cmd); r.GetError() != servicetest.ReadOnlyRefusal(cmd, "socket") {
			t.Fatalf("read-only %v: %v", cmd, r)
		}
	}
	if r := servicetest.Request(t, a, connect(addr)); !strings.HasPrefix(r.GetError(), "already connected to "+addr) {
		t.Fatalf("a second connect: %v", r)
	}
	before, r := servicetest.Exchange(t, a, disconnect)
	if r.GetOk() == nil || len(before) != 1 || before[0].GetDisconnect() == nil || before[0].GetDisconnect().Error != "" {
		t.Fatalf("disconnect: %v then %v", before, r)
	}
	if d := servicetest.Next(t, b).GetDisconnect(); d == nil || d.Error != "" {
		t.Fatalf("the watcher after disconnect: %v", d)
	}
	if r := servicetest.Request(t, a, send("x")); !strings.HasPrefix(r.GetError(), "not connected") {
		t.Fatalf("send after disconnect: %v", r)
	}
	// The channel connects again.
	if r := servicetest.Request(t, a, connect(addr)); r.GetOk() == nil {
		t.Fatalf("connect again: %v", r)
	}
	servicetest.Request(t, a, send("again"))
	if got := string(recvUntil(t, a, 5)); got != "AGAIN" {
		t.Fatalf("recv: %q", got)
	}
}

// The peer closing says disconnect with no error; a reset says why.
func TestPeerEnds(t *testing.T) {
	closer := listen(t, func(c net.Conn) { c.Write([]byte("bye")) })
	resetter := listen(t, func(c net.Conn) {
		io.ReadFull(c, make([]byte, 1))
		c.(*net.TCPConn).SetLinger(0) // close with RST
	})
	url := servicetest.Serve(t, socket.Descriptor(socket.Config{}))
	ch := servicetest.Open(t, url("ada"), "socket", "")
	servicetest.Request(t, ch, connect(closer))
	if got := string(recvUntil(t, ch, 3)); got != "bye" {
		t.Fatalf("recv: %q", got)
	}
	if d := servicetest.Next(t, ch).GetDisconnect(); d == nil || d.Error != "" {
		t.Fatalf("after the peer closed: %v", d)
	}
	servicetest.Request(t, ch, connect(resetter))
	servicetest.Request(t, ch, send("x"))
	if d := servicetest.Next(t, ch).GetDisconnect(); d == nil || !strings.Contains(d.Error, "connection reset") {
		t.Fatalf("after a reset: %v", d)
	}
}

// 8 MiB from the peer arrive whole and in order, in chunks of at most
// 32 KiB.
func TestFlood(t *testing.T) {
	data := make([]byte, 8<<20)
	rand.Read(data)
	addr := listen(t, func(c net.Conn) { c.Write(data) })
	url := servicetest.Serve(t, socket.Descriptor(socket.Config{}))
	ch := servicetest.Open(t, url("ada"), "socket", "")
	servicetest.Request(t, ch, connect(addr))
	var got []byte
	for len(got) < len(data) {
		cmd := servicetest.Next(t, ch)
		r := cmd.GetRecv()
		if r == nil || len(r.Buff) > 32<<10 {
			t.Fatalf("after %d bytes: %v", len(got), len(r.GetBuff()))
		}
		got = append(got, r.Buff...)
	}
	if !bytes.Equal(got, data) {
		t.Fatal("the bytes differ from what the peer sent")
	}
}

// Bad requests are refused with what was wrong; destinations beyond the
// loopback are refused unless allowed, also by name.
func TestRefusals(t *testing.T) {
	closed := listen(t, echo)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	nobody := ln.Addr().String()
	ln.Close()
	url := servicetest.Serve(t, socket.Descriptor(socket.Config{DialTimeout: 2 * time.Second}))
	ch := servicetest.Open(t, url("ada"), "socket", "")
	cases := []struct {
		cmd  *api.Command
		want string
	}{
		{send("x"), `not connected: connect { proto: "tcp", addr: "host:port" } first`},
		{disconnect, `not connected: connect { proto: "tcp", addr: "host:port" } first`},
		{&api.Command{Body: &api.Command_Connect{Connect: &api.Connect{Proto: "udp", Addr: closed}}}, `proto "udp": only tcp connections are offered`},
		{connect("127.0.0.1"), `addr "127.0.0.1": want host:port (address 127.0.0.1: missing port in address)`},
		{connect("10.1.2.3:80"), "10.1.2.3:80 is not a loopback address: only connections inside the container are allowed"},
		{connect("[2001:db8::1]:80"), "[2001:db8::1]:80 is not a loopback address: only connections inside the container are allowed"},
		{connect(nobody), "connection refused"},
		{&api.Command{Body: &api.Command_Input{Input: "x"}}, "socket takes connect, send and disconnect, not input"},
	}
	for _, c := range cases {
		if r := servicetest.Request(t, ch, c.cmd); !strings.Contains(r.GetError(), c.want) {
			t.Errorf("%v: %v, want %q", c.cmd, r, c.want)
		}
	}
	// A name is checked on the address it resolves to.
	_, port, _ := net.SplitHostPort(closed)
	if r := servicetest.Request(t, ch, connect("localhost:"+port)); r.GetOk() == nil {
		t.Fatalf("localhost: %v", r)
	}
}

// AnyDestination lifts the loopback rule: the dial is attempted (and
// here fails on the network, not on the rule).
func TestAnyDestination(t *testing.T) {
	url := servicetest.Serve(t, socket.Descriptor(socket.Config{AnyDestination: true, DialTimeout: 500 * time.Millisecond}))
	ch := servicetest.Open(t, url("ada"), "socket", "")
	r := servicetest.Request(t, ch, connect("192.0.2.1:80")) // TEST-NET-1: never answers
	if r.GetError() == "" || strings.Contains(r.GetError(), "loopback") {
		t.Fatalf("connect to 192.0.2.1:80 with any destination allowed: %v", r)
	}
}

// Closing the channel closes the connection: the peer sees the end.
func TestCloseEndsTheConnection(t *testing.T) {
	ended := make(chan struct{})
	addr := listen(t, func(c net.Conn) { io.Copy(io.Discard, c); close(ended) })
	url := servicetest.Serve(t, socket.Descriptor(socket.Config{}))
	ch := servicetest.Open(t, url("ada"), "socket", "")
	servicetest.Request(t, ch, connect(addr))
	if _, err := ch.Close(t.Context(), api.CloseChannel_CLOSE); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		t.Fatal("the peer's connection is still open after the channel closed")
	}
}
