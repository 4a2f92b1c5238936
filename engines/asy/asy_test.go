package asy_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/pid1/pid1/engines/asy"
	"github.com/pid1/pid1/sandbox"
)

// A circle, drawn in each format: the picture is a valid one of its kind,
// after an empty output marking asy's start.
func TestCircleInEveryFormat(t *testing.T) {
	t.Parallel()
	s := newServer(t, options{})
	for _, format := range []string{"svg", "pdf", "png"} {
		c := s.dial(t, "/asy", "asyonline.asy")
		o := c.task("circle.asy", circle, map[string]any{"format": format})
		if !o.started || o.complete == nil || o.errorText() != "" || o.format != format || !hasMagic(format, o.image) {
			t.Fatalf("%s: %v", format, o.msgs)
		}
		if first := o.msgs[0]; first.verb != "output" || len(first.blob) != 0 || first.field("stream") != "stdout" {
			t.Errorf("%s: first message %v, want the empty output of asy's start", format, first)
		}
		switch format {
		case "svg":
			d := xml.NewDecoder(bytes.NewReader(o.image))
			var root struct {
				XMLName xml.Name
				Width   string `xml:"width,attr"`
			}
			if err := d.Decode(&root); err != nil || root.XMLName.Local != "svg" || root.Width == "" {
				t.Errorf("svg: %v %+v", err, root)
			}
			if !bytes.Contains(o.image, []byte("<path")) {
				t.Error("svg: no path drawn")
			}
		case "pdf":
			if !bytes.Contains(o.image[len(o.image)-32:], []byte("%%EOF")) {
				t.Errorf("pdf does not end with %%%%EOF: %q", o.image[len(o.image)-32:])
			}
		case "png":
			img, err := png.Decode(bytes.NewReader(o.image))
			if err != nil || img.Bounds().Dx() < 20 || img.Bounds().Dy() < 20 {
				t.Errorf("png: %v", err)
			}
		}
	}
}

// write() output comes as output; a program that draws nothing has no
// image; one asy cannot run fails with asy's own message; stderr is
// kept apart when asked.
func TestOutputAndErrors(t *testing.T) {
	t.Parallel()
	s := newServer(t, options{})
	c := s.dial(t, "/asy", "asyonline.asy")
	o := c.task("hello.asy", `write("hello"); write(6*7);`, nil)
	if o.stdout != "hello\n42\n" || o.errorText() != "No image output" || o.image != nil {
		t.Errorf("no image: %q %v", o.stdout, o.msgs)
	}
	c = s.dial(t, "/asy", "asyonline.asy")
	o = c.task("broken.asy", "draw((0,0)--(1,1);\n", nil)
	if o.errorText() != "Execution failed" || !strings.Contains(o.stdout, "broken.asy: 1.") || !strings.Contains(o.stdout, "syntax error") {
		t.Errorf("syntax error: stdout %q stderr %q %v", o.stdout, o.stderr, o.msgs)
	}
	c = s.dial(t, "/asy", "asyonline.asy")
	o = c.task("broken.asy", "draw((0,0)--(1,1);\n", map[string]any{"stderrRedir": false, "verbosity": 0})
	if o.errorText() != "Execution failed" || !strings.Contains(o.stderr, "syntax error") || strings.Contains(o.stdout, "syntax error") {
		t.Errorf("stderr apart: stdout %q stderr %q", o.stdout, o.stderr)
	}
	// Files import each other; the main one is the one named.
	c = s.dial(t, "/asy", "asyonline.asy")
	c.send("input", map[string]any{"filename": "shapes.asy"}, []byte("path box = unitsquare;\n"))
	c.send("input", map[string]any{"filename": "main.asy"}, []byte("import shapes;\nsize(1cm);\ndraw(box);\nwrite(\"drawn\");\n"))
	c.send("start", map[string]any{"main": "main.asy"}, nil)
	o = c.finish()
	if o.errorText() != "" || o.stdout != "drawn\n" || !hasMagic("svg", o.image) {
		t.Errorf("two files: %q %v", o.stdout, o.msgs)
	}
}

// The time limit is the duration asked for, or a lower one sent while
// the task runs; the output limit stops a program that writes too much.
func TestLimits(t *testing.T) {
	t.Parallel()
	s := newServer(t, options{asy: asy.Config{OutputLimit: 1000}})
	c := s.dial(t, "/asy", "asyonline.asy")
	o := c.task("loop.asy", "while(true) {}", map[string]any{"duration": 3})
	if o.errorText() != "Execution aborted due to the time limit (3.0s)" {
		t.Errorf("3 s: %v", o.msgs)
	}
	c = s.dial(t, "/asy", "asyonline.asy")
	c.send("input", map[string]any{"filename": "loop.asy"}, []byte("while(true) {}"))
	c.send("options", map[string]any{"duration": 30}, nil)
	c.send("start", map[string]any{"main": "loop.asy"}, nil)
	if m := c.recv(); m.verb != "output" || len(m.blob) != 0 {
		t.Fatalf("want the start: %v", m)
	}
	c.send("options", map[string]any{"duration": 1.5}, nil)
	o = c.finish()
	if o.errorText() != "Execution aborted due to the time limit (1.5s)" {
		t.Errorf("lowered to 1.5 s: %v", o.msgs)
	}
	c = s.dial(t, "/asy", "asyonline.asy")
	o = c.task("chatty.asy", "for (int i = 0; ; ++i) write(i);", nil)
	if o.errorText() != "Execution aborted due to the output limit (1000B)" || len(o.stdout) != 1000 || !strings.HasPrefix(o.stdout, "0\n1\n2\n") {
		t.Errorf("output limit: %d bytes, %v", len(o.stdout), o.complete)
	}
}

func sum(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }

// Restore: a file sent with its hash is kept; later tasks name it by hash
// alone; one the server no longer has is asked for with missing, once.
func TestRestore(t *testing.T) {
	t.Parallel()
	s := newServer(t, options{})
	lib := []byte("path shape = unitcircle;\n")
	main := []byte("import lib;\nsize(1cm);\ndraw(shape);\n")
	c := s.dial(t, "/asy", "asyonline.asy+restore", "asyonline.asy")
	if c.c.Subprotocol() != "asyonline.asy+restore" {
		t.Fatalf("sub-protocol %q", c.c.Subprotocol())
	}
	c.send("input", map[string]any{"filename": "lib.asy", "hash": sum(lib)}, lib)
	c.send("input", map[string]any{"filename": "main.asy"}, main)
	c.send("start", map[string]any{"main": "main.asy"}, nil)
	if o := c.finish(); !hasMagic("svg", o.image) {
		t.Fatalf("first: %v", o.msgs)
	}
	// Hit: the file comes from the cache.
	c = s.dial(t, "/asy", "asyonline.asy+restore")
	c.send("input", map[string]any{"filename": "lib.asy", "hash": strings.ToUpper(sum(lib)), "restore": true}, nil)
	c.send("input", map[string]any{"filename": "main.asy"}, main)
	c.send("start", map[string]any{"main": "main.asy"}, nil)
	if o := c.finish(); !hasMagic("svg", o.image) {
		t.Fatalf("restored: %v", o.msgs)
	}
	// Miss: missing, then the file again, then start again.
	other := []byte("path shape = unitsquare;\n")
	c = s.dial(t, "/asy", "asyonline.asy+restore")
	c.send("input", map[string]any{"filename": "lib.asy", "hash": sum(other), "restore": true}, nil)
	c.send("input", map[string]any{"filename": "main.asy"}, main)
	c.send("start", map[string]any{"main": "main.asy"}, nil)
	m := c.recv()
	if m.verb != "missing" || string(m.body) != `[{"filename":"lib.asy","hash":"`+sum(other)+`"}]` {
		t.Fatalf("want missing: %v", m)
	}
	c.send("input", map[string]any{"filename": "lib.asy", "hash": sum(other)}, other)
	c.send("start", map[string]any{"main": "main.asy"}, nil)
	if o := c.finish(); !hasMagic("svg", o.image) || o.errorText() != "" {
		t.Fatalf("after missing: %v", o.msgs)
	}
	// missing comes once: a client that does not send the file is denied.
	unknown := []byte("// nobody sent this\n")
	c = s.dial(t, "/asy", "asyonline.asy+restore")
	c.send("input", map[string]any{"filename": "main.asy", "hash": sum(unknown), "restore": true}, nil)
	c.send("start", map[string]any{"main": "main.asy"}, nil)
	if m := c.recv(); m.verb != "missing" {
		t.Fatalf("want missing: %v", m)
	}
	c.send("start", map[string]any{"main": "main.asy"}, nil)
	c.expectDeny("Files still missing after the server asked for them: main.asy")
	// A hash that does not match the contents is refused.
	c = s.dial(t, "/asy", "asyonline.asy+restore")
	c.send("input", map[string]any{"filename": "lib.asy", "hash": sum(other)}, lib)
	c.expectDeny("Invalid message: input lib.asy: the contents' SHA-256 is " + sum(lib) + ", not " + sum(other))
	// Without +restore, hashes are refused.
	c = s.dial(t, "/asy", "asyonline.asy")
	c.send("input", map[string]any{"filename": "lib.asy", "hash": sum(lib), "restore": true}, nil)
	c.expectDeny("Invalid message: input: hash and restore need the +restore sub-protocol")
}

// Bad tasks are denied with what was wrong.
func TestDenials(t *testing.T) {
	t.Parallel()
	s := newServer(t, options{})
	for _, tc := range []struct {
		name string
		send func(c *conn)
		want string
	}{
		{"extension", func(c *conn) { c.send("input", map[string]any{"filename": "x.txt"}, []byte("x")) },
			`Invalid message: input: file name "x.txt" must end with .asy`},
		{"path", func(c *conn) { c.send("input", map[string]any{"filename": "../x.asy"}, []byte("x")) },
			`Invalid message: input: file name "../x.asy" may not start with . or -`},
		{"slash", func(c *conn) { c.send("input", map[string]any{"filename": "a/x.asy"}, []byte("x")) },
			`Invalid message: input: file name "a/x.asy" must be a plain name (no slashes or control characters)`},
		{"duration", func(c *conn) { c.send("options", map[string]any{"duration": 5}, nil) },
			"Invalid message: options: duration must be 3, 10 or 30 (seconds), not 5"},
		{"format", func(c *conn) { c.send("options", map[string]any{"format": "gif"}, nil) },
			`Invalid message: options: format must be svg, pdf or png, not "gif"`},
		{"verbosity", func(c *conn) { c.send("options", map[string]any{"verbosity": 4}, nil) },
			"Invalid message: options: verbosity must be 0 to 3, not 4"},
		{"unknown option", func(c *conn) { c.send("options", map[string]any{"fromat": "svg"}, nil) },
			`Invalid message: options: unknown field "fromat"`},
		{"type", func(c *conn) { c.send("options", map[string]any{"duration": "3"}, nil) },
			`Invalid message: options: "duration" must be a number, not string`},
		{"verb", func(c *conn) { c.send("run", map[string]any{}, nil) },
			`Invalid message: unknown message "run": before start, send input, options or start`},
		{"frame", func(c *conn) { c.write(websocket.MessageText, []byte("{}")) },
			`Invalid message: a message is "verb {json}": a lower-case word, then its JSON`},
		{"binary", func(c *conn) { c.write(websocket.MessageBinary, []byte("x")) },
			"Unexpected binary message: contents follow an input message that has them"},
		{"no contents", func(c *conn) {
			c.send("input", map[string]any{"filename": "a.asy"}, nil)
			c.send("start", map[string]any{"main": "a.asy"}, nil)
		}, "Invalid message: input a.asy must be followed by a binary message with its contents"},
		{"no main", func(c *conn) { c.send("start", map[string]any{}, nil) }, "Invalid message: start: main must name the file to run"},
		{"main not given", func(c *conn) {
			c.send("input", map[string]any{"filename": "a.asy"}, []byte("x"))
			c.send("start", map[string]any{"main": "b.asy"}, nil)
		}, `Invalid message: start: main "b.asy" is not one of the input files`},
		{"stdin", func(c *conn) { c.send("input", map[string]any{"stream": "stdin"}, []byte("x")) },
			"Invalid message: input: stdin is only for interactive sessions (/asy/interactive)"},
	} {
		c := s.dial(t, "/asy", "asyonline.asy")
		tc.send(c)
		t.Run(tc.name, func(t *testing.T) { c.t = t; c.expectDeny(tc.want) })
	}
	c := s.dial(t, "/asy/interactive", "asyonline.asy.interactive")
	c.send("options", map[string]any{"duration": 3}, nil)
	c.expectDeny("Invalid message: options: an interactive session has no duration")
}

// The sub-protocols: each path speaks its own and their lesser ones.
func TestSubprotocols(t *testing.T) {
	t.Parallel()
	s := newServer(t, options{})
	for path, offers := range map[string][][2]string{
		"/asy":             {{"asyonline.asy", "asyonline.asy"}, {"asyonline.asy+restore", "asyonline.asy+restore"}},
		"/asy/interactive": {{"asyonline.asy.interactive", "asyonline.asy.interactive"}, {"asyonline.asy.interactive+restore", "asyonline.asy.interactive+restore"}},
	} {
		for _, o := range offers {
			if c := s.dial(t, path, o[0]); c.c.Subprotocol() != o[1] {
				t.Errorf("%s offering %s: got %q", path, o[0], c.c.Subprotocol())
			}
		}
	}
	c := s.dial(t, "/asy")
	if code, reason := c.closed(); code != websocket.StatusProtocolError || reason != "no sub-protocol this path speaks: offer asyonline.asy+restore or asyonline.asy" {
		t.Errorf("no sub-protocol: %d %q", code, reason)
	}
}

// An interactive session answers what it is sent, as it is sent.
func TestInteractive(t *testing.T) {
	t.Parallel()
	s := newServer(t, options{})
	c := s.dial(t, "/asy/interactive", "asyonline.asy.interactive+restore")
	c.send("input", map[string]any{"filename": "defs.asy"}, []byte("int answer = 42;\n"))
	c.send("input", map[string]any{"stream": "stdin"}, []byte("write(1+2);\n"))
	c.send("start", map[string]any{}, nil)
	if m := c.recv(); m.verb != "output" || len(m.blob) != 0 {
		t.Fatalf("want the start: %v", m)
	}
	var out string
	await := func(want string) {
		t.Helper()
		for !strings.Contains(out, want) {
			m := c.recv()
			if m.verb != "output" {
				t.Fatalf("waiting for %q: %v (output so far %q)", want, m, out)
			}
			out += string(m.blob)
		}
	}
	await("3\n")
	c.send("input", map[string]any{"stream": "stdin"}, []byte("include defs;\nwrite(answer);\n"))
	await("42\n")
	c.send("input", map[string]any{"stream": "stdin"}, []byte("quit;\n"))
	o := c.finish()
	if o.complete == nil || o.errorText() != "" {
		t.Errorf("quit: %v (output %q)", o.msgs, out)
	}
}

// The queue: with one place, a second task waits and hears its
// estimate; a third finds the queue full; an interactive session never
// waits.
func TestQueue(t *testing.T) {
	t.Parallel()
	s := newServer(t, options{asy: asy.Config{Queue: asy.QueueConfig{Slots: 1, MaxWaiting: 1}, Announcement: "maintenance at noon"}})
	first := s.dial(t, "/asy", "asyonline.asy")
	first.send("input", map[string]any{"filename": "loop.asy"}, []byte("while(true) {}"))
	first.send("options", map[string]any{"duration": 3}, nil)
	first.send("start", map[string]any{"main": "loop.asy"}, nil)
	if m := first.recv(); m.verb != "status" || m.field("announcement") != "maintenance at noon" || m.field("queue") != nil {
		t.Fatalf("want the announcement: %v", m)
	}
	if m := first.recv(); m.verb != "output" {
		t.Fatalf("want the start: %v", m)
	}
	second := s.dial(t, "/asy", "asyonline.asy")
	second.send("input", map[string]any{"filename": "c.asy"}, []byte(circle))
	second.send("start", map[string]any{"main": "c.asy"}, nil)
	second.recv() // the announcement
	m := second.recv()
	q, _ := m.field("queue").(map[string]any)
	if m.verb != "status" || q == nil || q["estimate"] == nil || m.field("announcement") != "maintenance at noon" {
		t.Fatalf("want a queue status: %v", m)
	}
	if est := q["estimate"].(float64); est < 0 || est > 60 {
		t.Errorf("estimate %v s", est)
	}
	for s.asy.Queue().Waiting() == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	third := s.dial(t, "/asy", "asyonline.asy")
	third.send("input", map[string]any{"filename": "c.asy"}, []byte(circle))
	third.send("start", map[string]any{"main": "c.asy"}, nil)
	third.recv() // the announcement
	third.expectDeny("Server is overloaded, try again later")
	shell := s.dial(t, "/asy/interactive", "asyonline.asy.interactive")
	shell.send("start", map[string]any{}, nil)
	shell.recv()
	shell.expectDeny("Server is busy: no room for an interactive session now, try again later")

	if o := first.finish(); o.errorText() != "Execution aborted due to the time limit (3.0s)" {
		t.Errorf("first: %v", o.msgs)
	}
	o := second.finish()
	if !hasMagic("svg", o.image) {
		t.Errorf("second, after waiting: %v", o.msgs)
	}
}

// GET /asy/status answers the announcement.
func TestStatusEndpoint(t *testing.T) {
	t.Parallel()
	s := newServer(t, options{asy: asy.Config{Announcement: "back soon"}})
	resp, err := http.Get(s.URL + "/asy/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(b) != `{"status":{"announcement":"back soon"}}`+"\n" || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("%d %q %v", resp.StatusCode, b, resp.Header)
	}
}

// Closing the connection mid-run aborts it: no process of it is left, no
// cgroup holds one (a run slot may keep an empty one for its next run,
// until the sandbox closes), and its files are gone.
func TestCloseMidRunLeavesNothing(t *testing.T) {
	t.Parallel()
	// The run's uid must reach the directory: not t.TempDir's (0700).
	dir, err := os.MkdirTemp("", "asy-close-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	parent := filepathBase(t)
	t.Cleanup(func() { // after the sandbox's Close (cleanups run last first)
		if left := runCgroups(parent); len(left) > 0 {
			t.Errorf("run cgroups left after the sandbox closed: %v", left)
		}
	})
	s := newServer(t, options{sandbox: sandbox.Config{Dir: dir, CgroupParent: parent}})
	c := s.dial(t, "/asy", "asyonline.asy")
	c.send("input", map[string]any{"filename": "busy.asy"}, []byte("write(\"working\");\nwhile(true) {}"))
	c.send("options", map[string]any{"duration": 30}, nil)
	c.send("start", map[string]any{"main": "busy.asy"}, nil)
	c.recv() // the start
	if m := c.recv(); string(m.blob) != "working\n" {
		t.Fatalf("want asy's output: %v", m)
	}
	if procs := processesIn(parent); len(procs) == 0 {
		t.Fatal("no process of the run found in its cgroup")
	}
	c.c.Close(websocket.StatusNormalClosure, "bye")
	deadline := time.Now().Add(30 * time.Second)
	for len(processesIn(parent)) > 0 || len(occupiedCgroups(parent)) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("after the close: processes %v, cgroups holding some %v", processesIn(parent), occupiedCgroups(parent))
		}
		time.Sleep(20 * time.Millisecond)
	}
	// What the sandbox keeps while it lives: the runs' mount point and the
	// /etc they all bind.
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if e.Name() != "pid1-sandbox-root" && !strings.HasPrefix(e.Name(), "pid1-sandbox-etc-") {
			t.Errorf("left in the sandbox directory: %v", e.Name())
		}
	}
	if left, _ := os.ReadDir(filepath.Join(dir, "pid1-sandbox-root")); len(left) > 0 {
		t.Errorf("left in the runs' root: %v", left)
	}
}
