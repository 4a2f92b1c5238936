package server_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/pid1/server"
)

// A Python http.server started through run2 is announced on channel 0 as
// portOpen, with its pid, command and command line, to the sessions
// there and in the greeting of one that connects later; when run2 stops
// it, everyone gets portClose.
func TestPortOpenAndClose(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	base := t.TempDir()
	ws := filepath.Join(base, "ws")
	os.MkdirAll(ws, 0o755)
	os.WriteFile(filepath.Join(ws, ".replit"), []byte(fmt.Sprintf("run = \"exec python3 -m http.server --bind 127.0.0.1 %d\"\n", port)), 0o644)
	srv, _ := start(t, server.Options{Workspace: ws, StateDir: filepath.Join(base, "state")})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	early := connect(t, ctx, srv, "early", true)
	run2, err := early.Open(ctx, "run2", "", api.OpenChannel_CREATE)
	if err != nil {
		t.Fatal(err)
	}
	if err := run2.Send(ctx, &api.Command{Body: &api.Command_RunMain{RunMain: &api.RunMain{}}}); err != nil {
		t.Fatal(err)
	}
	opened := waitPort(t, ctx, early, func(c *api.Command) bool { return c.GetPortOpen().GetPort() == uint32(port) }).GetPortOpen()
	if opened.Address != "127.0.0.1" || opened.Comm != "python3" || !slices.Contains(opened.Cmdline, "http.server") ||
		opened.Pid == 0 || len(opened.PidChain) == 0 || opened.PidChain[0] != opened.Pid {
		t.Fatalf("portOpen: %v", opened)
	}
	late := connect(t, ctx, srv, "late", true)
	if again := waitPort(t, ctx, late, func(c *api.Command) bool { return c.GetPortOpen().GetPort() == uint32(port) }); again.GetPortOpen().GetPid() != opened.Pid {
		t.Fatalf("the late session's greeting: %v", again)
	}
	if _, err := run2.Close(ctx, api.CloseChannel_CLOSE); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*client.Client{early, late} {
		closed := waitPort(t, ctx, c, func(c *api.Command) bool { return c.GetPortClose().GetPort() == uint32(port) }).GetPortClose()
		if closed.Address != "127.0.0.1" {
			t.Fatalf("portClose: %v", closed)
		}
	}
}

// waitPort reads c's channel 0 until ok accepts a command.
func waitPort(t *testing.T, ctx context.Context, c *client.Client, ok func(*api.Command) bool) *api.Command {
	t.Helper()
	for {
		select {
		case cmd := <-c.Control():
			if ok(cmd) {
				return cmd
			}
		case <-ctx.Done():
			t.Fatal("no such command on channel 0 within 60 s")
		}
	}
}
