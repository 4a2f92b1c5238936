package interp2_test

import (
	"context"
	"strings"
	"testing"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/services/interp2"
	"github.com/pid1/pid1/test/kit/servicetest"
)

func serve(t *testing.T, files map[string]string) func(string) string {
	t.Helper()
	return servicetest.Serve(t, interp2.Descriptor(servicetest.Deps(t, files)))
}

func until(t *testing.T, ch *client.Channel, want string) string {
	t.Helper()
	return servicetest.Until(t, ch, want)
}

func send(t *testing.T, ch *client.Channel, cmd *api.Command) {
	t.Helper()
	if err := ch.Send(context.Background(), cmd); err != nil {
		t.Fatal(err)
	}
}

func input(s string) *api.Command { return &api.Command{Body: &api.Command_Input{Input: s}} }

var runMain = &api.Command{Body: &api.Command_RunMain{RunMain: &api.RunMain{}}}

func TestPython(t *testing.T) {
	ch := servicetest.Open(t, serve(t, map[string]string{"main.py": "x = 21\nprint('main ran')\n"})("ada"), "interp2", "interp2")
	until(t, ch, "<Stopped>")
	until(t, ch, ">>> ")
	send(t, ch, input("2+2\r"))
	if got := until(t, ch, "4\r\n>>> "); strings.Contains(got, "\x1b]7717") {
		t.Fatalf("the prompt mark leaked: %q", got)
	}
	send(t, ch, runMain)
	got := until(t, ch, "<Stopped>")
	if !strings.Contains(got, "<Running>") || !strings.Contains(got, "main ran") {
		t.Fatalf("runMain: %q", got)
	}
	send(t, ch, input("x*2\r"))
	until(t, ch, "42")
	send(t, ch, &api.Command{Body: &api.Command_Clear{Clear: &api.Clear{}}})
	until(t, ch, ">>> ")
	send(t, ch, input("x\r"))
	until(t, ch, "NameError")
}

func TestNode(t *testing.T) {
	ch := servicetest.Open(t, serve(t, map[string]string{"index.js": "console.log('main ran'); module.exports = { y: 21 };\n"})("ada"), "interp2", "interp2")
	until(t, ch, "> ")
	send(t, ch, input("2+2\r"))
	until(t, ch, "4")
	send(t, ch, runMain)
	got := until(t, ch, "<Stopped>")
	if !strings.Contains(got, "<Running>") || !strings.Contains(got, "main ran") {
		t.Fatalf("runMain: %q", got)
	}
	send(t, ch, input("y*2\r"))
	until(t, ch, "42")
}

// A program that reads input keeps the state Running until it is done.
func TestRunningUntilThePrompt(t *testing.T) {
	ch := servicetest.Open(t, serve(t, map[string]string{"main.py": "name = input('name? ')\nprint('hi', name)\n"})("ada"), "interp2", "interp2")
	until(t, ch, ">>> ")
	send(t, ch, runMain)
	got := until(t, ch, "name? ")
	if strings.Contains(got, "<Stopped>") {
		t.Fatalf("stopped while the program waits for input: %q", got)
	}
	send(t, ch, input("ada\r"))
	until(t, ch, "hi ada")
	until(t, ch, "<Stopped>")
}

func TestBadRequests(t *testing.T) {
	// Go has no REPL: the channel is refused with the reason.
	c := servicetest.Dial(t, serve(t, map[string]string{"main.go": "package main\n"})("ada"))
	if _, err := c.Open(context.Background(), "interp2", "", api.OpenChannel_CREATE); err == nil || !strings.Contains(err.Error(), "interp2 has no REPL for go; run it with run2") {
		t.Fatalf("got %v", err)
	}
}

func TestReadOnlyAndUnknown(t *testing.T) {
	url := serve(t, map[string]string{"main.py": ""})
	servicetest.Open(t, url("ada"), "interp2", "interp2")
	ro := servicetest.Open(t, url("ro:viewer"), "interp2", "interp2")
	if r := servicetest.Request(t, ro, runMain); !strings.HasPrefix(r.GetError(), "read-only:") {
		t.Fatalf("read-only runMain: %v", r)
	}
	if r := servicetest.Request(t, ro, &api.Command{Body: &api.Command_Ping{Ping: &api.Ping{}}}); r.GetError() != "interp2 takes runMain, clear, input, resizeTerm and saneTerm, not ping" {
		t.Fatalf("ping: %v", r)
	}
}

// In an empty workspace the REPL still starts (Python's), and runMain says
// what to add, as run2 does, instead of a traceback.
func TestRunMainInAnEmptyWorkspaceExplains(t *testing.T) {
	ch := servicetest.Open(t, serve(t, nil)("ada"), "interp2", "interp2")
	servicetest.Until(t, ch, ">>> ")
	r := servicetest.Request(t, ch, runMain)
	if !strings.HasPrefix(r.GetError(), "nothing to run: add a .replit") {
		t.Fatalf("runMain in an empty workspace: %v", r)
	}
	servicetest.Input(t, ch, "print(6*7)\r")
	servicetest.Until(t, ch, "42")
}
