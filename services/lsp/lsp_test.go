package lsp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/test/kit/servicetest"
)

// A Python workspace gets pylsp when the channel opens: it completes
// from the standard library and reports a syntax error.
func TestPython(t *testing.T) {
	t.Parallel()
	url, deps := serve(t, map[string]string{"main.py": "import os\n"})
	c := open(t, url("ada"))
	caps := c.initialize(deps.Dir())
	if caps["completionProvider"] == nil {
		t.Fatalf("pylsp offers no completion: %v", caps)
	}
	uri := c.didOpen(deps.Dir(), "main.py", "python", "import os\nos.pa\n")
	res := c.call("textDocument/completion", pos(uri, 1, 5))
	var list struct {
		Items []struct{ Label string } `json:"items"`
	}
	if err := json.Unmarshal(res, &list); err != nil {
		json.Unmarshal(res, &list.Items) // a bare array is allowed too
	}
	var labels []string
	for _, it := range list.Items {
		labels = append(labels, it.Label)
	}
	if !containsPrefix(labels, "path") || !containsPrefix(labels, "pardir") {
		t.Fatalf("completion of os.pa: %q", labels)
	}

	bad := c.didOpen(deps.Dir(), "broken.py", "python", "def f(:\n    pass\n")
	var diags struct {
		URI         string `json:"uri"`
		Diagnostics []struct {
			Message string `json:"message"`
		} `json:"diagnostics"`
	}
	c.until("diagnostics for broken.py", func(m message) bool {
		return m.Method == "textDocument/publishDiagnostics" && json.Unmarshal(m.Params, &diags) == nil &&
			diags.URI == bad && len(diags.Diagnostics) > 0
	})
	if msg := strings.ToLower(diags.Diagnostics[0].Message); !strings.Contains(msg, "syntax") && !strings.Contains(msg, "invalid") {
		t.Fatalf("the diagnostic of def f(: %q", diags.Diagnostics[0].Message)
	}
	shutdown(t, c)
}

func containsPrefix(labels []string, p string) bool {
	for _, l := range labels {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}

// shutdown ends the server as a client does: it exits, the channel says
// it stopped, and it is not restarted.
func shutdown(t *testing.T, c *conn) {
	t.Helper()
	c.call("shutdown", nil)
	c.notify("exit", nil)
	deadline := time.After(30 * time.Second)
	for {
		select {
		case cmd := <-c.ch.Stream():
			if st, ok := cmd.Body.(*api.Command_State); ok && st.State == api.State_Stopped {
				servicetest.Quiet(t, c.ch, time.Second) // no restart after a requested exit
				return
			}
		case <-deadline:
			t.Fatal("no state: Stopped after exit")
		}
	}
}

// gopls, from the Go module proxy, answers hover on a Go identifier.
func TestGoHover(t *testing.T) {
	t.Parallel()
	src := "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"hi\")\n}\n"
	url, deps := serve(t, map[string]string{"go.mod": "module example.com/hello\n\ngo 1.21\n", "main.go": src})
	c := open(t, url("ada"))
	c.initialize(deps.Dir())
	uri := c.didOpen(deps.Dir(), "main.go", "go", src)
	var text string
	for deadline := time.Now().Add(60 * time.Second); ; {
		res := c.call("textDocument/hover", pos(uri, 5, 6)) // on Println
		text = string(res)
		if strings.Contains(text, "Println") || time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond) // the package is still loading
	}
	if !strings.Contains(text, "Println") || !strings.Contains(text, "func") {
		t.Fatalf("hover on Println: %s", clipped(text))
	}
	shutdown(t, c)
}

// startLSP picks typescript-language-server (npm) and clangd (Debian)
// by language; each answers initialize with its capabilities.
func TestStartLSPByLanguage(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ language, file, text, id, want string }{
		{"typescript", "index.ts", "const x: number = 1;\nx.toFix\n", "typescript", "completionProvider"},
		{"c", "main.c", "#include <stdio.h>\nint main(void) { return 0; }\n", "c", "hoverProvider"},
	} {
		t.Run(c.language, func(t *testing.T) {
			t.Parallel()
			url, deps := serve(t, map[string]string{c.file: c.text})
			conn := open(t, url("ada"))
			reply := servicetest.Request(t, conn.ch, &api.Command{Body: &api.Command_StartLSP{StartLSP: &api.StartLSP{Language: c.language}}})
			if reply.GetOk() == nil {
				t.Fatalf("startLSP: %v", reply)
			}
			caps := conn.initialize(deps.Dir())
			if caps[c.want] == nil {
				t.Fatalf("no %s in %v", c.want, caps)
			}
			conn.didOpen(deps.Dir(), c.file, c.id, c.text)
			shutdown(t, conn)
		})
	}
}

// A server that dies is restarted and says so; closing the channel
// kills it.
func TestRestartAndClose(t *testing.T) {
	t.Parallel()
	url, deps := serve(t, map[string]string{"main.py": ""})
	c := open(t, url("ada"))
	c.initialize(deps.Dir())
	pid := serverPid(t, deps.Dir())
	syscall.Kill(pid, syscall.SIGKILL)
	var seen []string
	for deadline := time.After(30 * time.Second); len(seen) < 2; {
		select {
		case cmd := <-c.ch.Stream():
			if st, ok := cmd.Body.(*api.Command_State); ok {
				seen = append(seen, st.State.String())
			}
		case <-deadline:
			t.Fatalf("after the kill: %v", seen)
		}
	}
	if seen[0] != "Stopped" || seen[1] != "Running" {
		t.Fatalf("after the kill: %v, want Stopped then Running", seen)
	}
	c.initialize(deps.Dir()) // a fresh server
	again := serverPid(t, deps.Dir())
	if again == pid {
		t.Fatal("the same pid after a restart")
	}
	if _, err := c.ch.Close(context.Background(), api.CloseChannel_CLOSE); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); syscall.Kill(again, 0) == nil; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("pylsp (pid %d) survived closing the channel", again)
		}
	}
}

// serverPid finds the pylsp this test started: a child of this process
// whose working directory is dir.
func serverPid(t *testing.T, dir string) int {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		entries, _ := os.ReadDir("/proc")
		for _, e := range entries {
			var pid int
			if _, err := fmt.Sscan(e.Name(), &pid); err != nil {
				continue
			}
			cmd, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
			cwd, _ := os.Readlink(filepath.Join("/proc", e.Name(), "cwd"))
			if strings.Contains(string(cmd), "pylsp") && cwd == dir {
				return pid
			}
		}
	}
	t.Fatal("no pylsp running in the workspace")
	return 0
}

// A .replit's languageServer is what opens, and startLSP names it by id;
// unknown languages and other commands are refused with reasons.
func TestDotReplitAndErrors(t *testing.T) {
	t.Parallel()
	url, deps := serve(t, map[string]string{".replit": `run = "true"
[languages.notes]
pattern = "**/*.txt"
[languages.notes.languageServer]
start = ["pylsp", "-v"]
`})
	c := open(t, url("ada"))
	c.initialize(deps.Dir()) // the .replit's only server started with the channel
	cases := []struct {
		cmd  *api.Command
		want string
	}{
		{&api.Command{Body: &api.Command_StartLSP{StartLSP: &api.StartLSP{LanguageServerId: "notes"}}}, ""},
		{&api.Command{Body: &api.Command_StartLSP{StartLSP: &api.StartLSP{Language: "cobol"}}}, `no language server for "cobol": pid1 has one for c, go, nodejs, python3, and a .replit may name others ([languages.ID.languageServer] start = "...")`},
		{&api.Command{Body: &api.Command_Input{Input: "Content-Length: x\r\n\r\n{}"}}, `input Content-Length "x" is not a length`},
		{&api.Command{Body: &api.Command_Ping{Ping: &api.Ping{}}}, "lsp takes input and startLSP, not ping"},
	}
	for _, tc := range cases {
		reply := servicetest.Request(t, c.ch, tc.cmd)
		if tc.want == "" && reply.GetOk() == nil || tc.want != "" && reply.GetError() != tc.want {
			t.Errorf("%v: %v, want %q", tc.cmd, reply, tc.want)
		}
	}
	// The same server again is not restarted: it still answers.
	c.call("shutdown", nil)

	// With nothing running, input says how to start a server.
	url2, _ := serve(t, map[string]string{"notes.txt": "hi"})
	empty := open(t, url2("ada"))
	reply := servicetest.Request(t, empty.ch, &api.Command{Body: &api.Command_Input{Input: "{}"}})
	if reply.GetError() != "no language server is running: startLSP { language } starts one" {
		t.Fatalf("%v", reply)
	}
}

// Raw protocol bytes from a client pass through, cut anywhere; the reply
// to each input with a ref is ok.
func TestRawInputPassesThrough(t *testing.T) {
	t.Parallel()
	url, deps := serve(t, map[string]string{"main.py": ""})
	c := open(t, url("ada"))
	content := fmt.Sprintf(`{"jsonrpc":"2.0","id":41,"method":"initialize","params":{"processId":null,"rootUri":"file://%s","capabilities":{}}}`, deps.Dir())
	raw := fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(content), content)
	for _, part := range []string{raw[:7], raw[7:30], raw[30:60], raw[60:]} {
		reply := servicetest.Request(t, c.ch, &api.Command{Body: &api.Command_Input{Input: part}})
		if reply.GetOk() == nil {
			t.Fatalf("input %q: %v", part, reply)
		}
	}
	c.until("the reply to initialize", func(m message) bool { return string(m.ID) == "41" && len(m.Result) > 0 })
}
