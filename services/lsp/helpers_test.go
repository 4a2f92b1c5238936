package lsp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/internal/jobs"
	"github.com/pid1/pid1/services/lsp"
	"github.com/pid1/pid1/test/kit/servicetest"
	"github.com/pid1/pid1/test/kit/testutil"
)

// serve serves lsp on a loopback hub for a workspace holding files; the
// servers find programs in PATH plus the npm test packages' bin.
func serve(t *testing.T, files map[string]string) (url func(string) string, deps jobs.Deps) {
	t.Helper()
	deps = servicetest.Deps(t, files)
	env := jobs.BaseEnv(nil, os.Environ())
	for i, kv := range env {
		if p, ok := strings.CutPrefix(kv, "PATH="); ok {
			env[i] = "PATH=" + filepath.Join(nodeBin(t)) + ":" + p
		}
	}
	deps.Env = env
	return servicetest.Serve(t, lsp.Descriptor(deps)), deps
}

// nodeBin is test/node's node_modules/.bin, where npm ci puts
// typescript-language-server.
func nodeBin(t *testing.T) string {
	return filepath.Join(testutil.NodeDir(t, "typescript-language-server"), "node_modules", ".bin")
}

// conn is an LSP client over an lsp channel.
type conn struct {
	t      *testing.T
	ch     *client.Channel
	nextID int
	states []api.State
}

func open(t *testing.T, url string) *conn {
	t.Helper()
	return &conn{t: t, ch: servicetest.Open(t, url, "lsp", "")}
}

// message is a JSON-RPC message.
type message struct {
	ID     json.RawMessage `json:"id,omitempty"`
	Method string          `json:"method,omitempty"`
	Params json.RawMessage `json:"params,omitempty"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  json.RawMessage `json:"error,omitempty"`
}

// send writes a message's content (no header: the service frames it).
func (c *conn) send(v any) {
	c.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		c.t.Fatal(err)
	}
	if err := c.ch.Send(context.Background(), &api.Command{Body: &api.Command_Input{Input: string(b)}}); err != nil {
		c.t.Fatal(err)
	}
}

func (c *conn) notify(method string, params any) {
	c.t.Helper()
	c.send(map[string]any{"jsonrpc": "2.0", "method": method, "params": params})
}

// call sends a request and returns its result, answering whatever the
// server asks meanwhile.
func (c *conn) call(method string, params any) json.RawMessage {
	c.t.Helper()
	c.nextID++
	id := c.nextID
	c.send(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params})
	m := c.until(fmt.Sprintf("the reply to %s", method), func(m message) bool { return string(m.ID) == strconv.Itoa(id) && m.Method == "" })
	if len(m.Error) > 0 {
		c.t.Fatalf("%s: error %s", method, m.Error)
	}
	return m.Result
}

// until reads messages until ok accepts one, answering the server's
// requests with null results.
func (c *conn) until(what string, ok func(message) bool) message {
	c.t.Helper()
	deadline := time.After(90 * time.Second)
	for {
		select {
		case cmd, open := <-c.ch.Stream():
			if !open {
				c.t.Fatalf("the stream ended waiting for %s", what)
			}
			if st, isState := cmd.Body.(*api.Command_State); isState {
				c.states = append(c.states, st.State)
				continue
			}
			if e := cmd.GetError(); e != "" {
				c.t.Fatalf("error waiting for %s: %s", what, e)
			}
			m := c.parse(cmd.GetOutput())
			if m.Method != "" && len(m.ID) > 0 {
				c.send(map[string]any{"jsonrpc": "2.0", "id": m.ID, "result": nil})
			}
			if ok(m) {
				return m
			}
		case <-deadline:
			c.t.Fatalf("no %s within 90s", what)
		}
	}
}

// parse checks that an output is exactly one framed message: a header
// whose Content-Length is the content's length in bytes.
func (c *conn) parse(out string) message {
	c.t.Helper()
	header, content, ok := strings.Cut(out, "\r\n\r\n")
	if !ok {
		c.t.Fatalf("output without a header: %q", clipped(out))
	}
	length := -1
	for _, line := range strings.Split(header, "\r\n") {
		name, value, _ := strings.Cut(line, ":")
		if strings.EqualFold(name, "Content-Length") {
			length, _ = strconv.Atoi(strings.TrimSpace(value))
		}
	}
	if length != len(content) {
		c.t.Fatalf("Content-Length %d, but %d bytes of content: %q", length, len(content), clipped(out))
	}
	var m message
	if err := json.Unmarshal([]byte(content), &m); err != nil {
		c.t.Fatalf("content %q: %v", clipped(content), err)
	}
	return m
}

func clipped(s string) string {
	if len(s) > 300 {
		return s[:300] + "..."
	}
	return s
}

// initialize runs the handshake in dir and returns the capabilities.
func (c *conn) initialize(dir string) map[string]any {
	c.t.Helper()
	res := c.call("initialize", map[string]any{
		"processId": nil, "rootUri": "file://" + dir,
		"capabilities": map[string]any{
			"textDocument": map[string]any{
				"hover":      map[string]any{"contentFormat": []string{"plaintext", "markdown"}},
				"completion": map[string]any{"completionItem": map[string]any{"snippetSupport": false}},
			},
		},
		"workspaceFolders": []map[string]any{{"uri": "file://" + dir, "name": "ws"}},
	})
	var r struct {
		Capabilities map[string]any `json:"capabilities"`
	}
	if err := json.Unmarshal(res, &r); err != nil || len(r.Capabilities) == 0 {
		c.t.Fatalf("initialize result %s: %v", clipped(string(res)), err)
	}
	c.notify("initialized", map[string]any{})
	return r.Capabilities
}

// didOpen opens a file of the workspace.
func (c *conn) didOpen(dir, name, languageID, text string) string {
	uri := "file://" + filepath.Join(dir, name)
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{
		"uri": uri, "languageId": languageID, "version": 1, "text": text}})
	return uri
}

func pos(uri string, line, char int) map[string]any {
	return map[string]any{"textDocument": map[string]any{"uri": uri}, "position": map[string]any{"line": line, "character": char}}
}
