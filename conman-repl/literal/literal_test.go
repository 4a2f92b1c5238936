package literal

import (
	"bufio"
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/pid1/pid1/api"
)

func TestParse(t *testing.T) {
	cases := []struct {
		src  string
		want *api.Command
	}{
		{`{ ping: {} }`, &api.Command{Body: &api.Command_Ping{Ping: &api.Ping{}}}},
		{`{ chatMessage: { username: "replbot", text: "hello from replbot!" } }`,
			&api.Command{Body: &api.Command_ChatMessage{ChatMessage: &api.ChatMessage{Username: "replbot", Text: "hello from replbot!"}}}},
		{`{"chatTyping": {'username': 'a', typing: false,},}`,
			&api.Command{Body: &api.Command_ChatTyping{ChatTyping: &api.ChatTyping{Username: "a"}}}},
		{`{ exec: { args: ["sh", "-c", 'echo "Hello, $NAME!" && echo "Goodbye."'], env: { "NAME": "Replbot" } } }`,
			&api.Command{Body: &api.Command_Exec{Exec: &api.Exec{Args: []string{"sh", "-c", `echo "Hello, $NAME!" && echo "Goodbye."`}, Env: map[string]string{"NAME": "Replbot"}}}}},
		{`{ exec: { args: ["sleep", "5"], blocking: true, lifecycle: "stdin" } }`,
			&api.Command{Body: &api.Command_Exec{Exec: &api.Exec{Args: []string{"sleep", "5"}, Blocking: true, Lifecycle: api.Exec_STDIN}}}},
		{`{ exec: { lifecycle: BLOCKING } }`, &api.Command{Body: &api.Command_Exec{Exec: &api.Exec{Lifecycle: api.Exec_BLOCKING}}}},
		{`{ exec: { lifecycle: 2 } }`, &api.Command{Body: &api.Command_Exec{Exec: &api.Exec{Lifecycle: api.Exec_STDIN}}}},
		{`{ state: "Running" }`, &api.Command{Body: &api.Command_State{State: api.State_Running}}},
		{`{ state: Stopped }`, &api.Command{Body: &api.Command_State{State: api.State_Stopped}}},
		{`{ write: { path: 'index.js', content: 'window.alert("Hello!")' } }`,
			&api.Command{Body: &api.Command_Write{Write: &api.File{Path: "index.js", Content: []byte(`window.alert("Hello!")`)}}}},
		{`{ write: { path: "b", content: "\x00\xff\u00e9" } }`,
			&api.Command{Body: &api.Command_Write{Write: &api.File{Path: "b", Content: []byte{0, 0xff, 0xc3, 0xa9}}}}},
		{`{ output: "\x41\u0042\u{43}\uD83D\uDE00\t\\\/\'\"\0" }`,
			&api.Command{Body: &api.Command_Output{Output: "ABC😀\t\\/'\"\x00"}}},
		{"{ output: `multi\nline` }", &api.Command{Body: &api.Command_Output{Output: "multi\nline"}}},
		{`{ subscribeFile: { files: [ "", "new_file" ] } }`,
			&api.Command{Body: &api.Command_SubscribeFile{SubscribeFile: &api.SubscribeFile{Files: []*api.File{{Path: ""}, {Path: "new_file"}}}}}},
		{`{ ot: { version: 0, ops: [{ insert: 'hi' }] } }`,
			&api.Command{Body: &api.Command_Ot{Ot: &api.OTPacket{Op: []*api.OTOpComponent{{OpComponent: &api.OTOpComponent_Insert{Insert: "hi"}}}}}}},
		{`{ otstatus: { content: "hello world", version: 12, linkedFile: "main", cursors: [] } }`,
			&api.Command{Body: &api.Command_Otstatus{Otstatus: &api.OTStatus{Contents: "hello world", Version: 12, LinkedFile: &api.File{Path: "main"}}}}},
		{`{ otFetchRequest: { versionFrom: 11, versionTo: 12 } } // versions are inclusive`,
			&api.Command{Body: &api.Command_OtFetchRequest{OtFetchRequest: &api.OTFetchRequest{VersionFrom: 11, VersionTo: 12}}}},
		{`/* a */ { resizeTerm: { rows: 0x18, cols: 8e1 } }`,
			&api.Command{Body: &api.Command_ResizeTerm{ResizeTerm: &api.ResizeTerm{Rows: 24, Cols: 80}}}},
		{`{ exitCodeEvent: -1 }`, &api.Command{Body: &api.Command_ExitCodeEvent{ExitCodeEvent: -1}}},
		{`{ ping: {}, ref: "r1", channel: 3 }`, &api.Command{Channel: 3, Ref: "r1", Body: &api.Command_Ping{Ping: &api.Ping{}}}},
		{`{ ping: {}, trace_info: { b: "2", a: "1" } }`,
			&api.Command{TraceInfo: map[string]string{"a": "1", "b": "2"}, Body: &api.Command_Ping{Ping: &api.Ping{}}}},
		{`{ chatMessage: { username: null, text: "x" } }`,
			&api.Command{Body: &api.Command_ChatMessage{ChatMessage: &api.ChatMessage{Text: "x"}}}},
	}
	for _, c := range cases {
		got, err := Parse(c.src)
		if err != nil {
			t.Errorf("Parse(%s): %v", c.src, err)
			continue
		}
		if !proto.Equal(got, c.want) {
			t.Errorf("Parse(%s)\n got %v\nwant %v", c.src, got, c.want)
		}
	}
}

func TestParseTimestamp(t *testing.T) {
	want := time.Date(2026, 11, 23, 9, 30, 0, 500_000_000, time.UTC)
	for _, src := range []string{`"2026-11-23T09:30:00.5Z"`, `"2026-11-23T10:30:00.5+01:00"`, `1795426200.5`} {
		var ts timestamppb.Timestamp
		if err := ParseMessage(`{ seconds: 0 }`, &ts); err != nil {
			t.Fatal(err)
		}
		var tok api.ReplToken
		if err := ParseMessage(`{ iat: `+src+` }`, &tok); err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if got := tok.Iat.AsTime(); !got.Equal(want) {
			t.Errorf("%s: got %v want %v", src, got, want)
		}
		if got := FormatMessage(&tok); got != `{ iat: "2026-11-23T09:30:00.5Z" }` {
			t.Errorf("FormatMessage = %s", got)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ src, want string }{
		{``, "column 1: empty input"},
		{`{}`, "column 1: no command in the literal"},
		{`{ chatMesage: {} }`, `column 3: a Command has no field "chatMesage"; did you mean "chatMessage"?`},
		{`{ chatMessage: { usr: "a" } }`, `ChatMessage has no field "usr"`},
		{`{ chatMessage: { bogusfieldname: "a" } }`, "(fields: username, text)"},
		{`{ ping: {}, pong: {} }`, `"ping" and "pong" are both set, but a Command holds one of them`},
		{`{ ping: {}, ping: {} }`, `column 13: key "ping" given twice (first at column 3)`},
		{`{ output: "abc }`, "column 11: unterminated string"},
		{"{ output: \"a\nb\" }", "a newline inside quotes"},
		{`{ output: "\q" }`, `unknown escape \q`},
		{`{ output: "\x4" }`, `\x needs two hex digits`},
		{`{ output: "\u12" }`, `\u needs four hex digits`},
		{`{ output: "\u{110000}" }`, `is not a code point`},
		{"{ output: `${x}` }", "template substitutions"},
		{`{ output: 5 }`, "output is a string: expected quotes, found a number"},
		{`{ output: hello }`, "found a bare word"},
		{`{ ping: [] }`, "expected an object for Ping, found an array"},
		{`{ exec: { args: "ls" } }`, "args is a list: expected [ ... ], found a string"},
		{`{ exec: { args: ["a", null] } }`, "null in the list args"},
		{`{ exec: { env: ["a"] } }`, "env is a map"},
		{`{ exec: { blocking: 1 } }`, "blocking is a boolean"},
		{`{ exec: { lifecycle: "sometimes" } }`, `"sometimes" is not one of NON_BLOCKING, BLOCKING, STDIN`},
		{`{ resizeTerm: { rows: -1 } }`, "rows is an integer; -1 is not one it can hold"},
		{`{ resizeTerm: { rows: 1.5 } }`, "rows is an integer; 1.5 is not one it can hold"},
		{`{ resizeTerm: { rows: 4294967296 } }`, "out of range for rows"},
		{`{ exitCodeEvent: 2147483648 }`, "out of range for exitCodeEvent"},
		{`{ resizeTerm: { rows: 12abc } }`, `"12abc" is not a number`},
		{`{ resizeTerm: { rows: 1_000 } }`, `"1_000" is not a number`},
		{`{ ping: {} } extra`, `column 14: unexpected 'e' after the end of the literal`},
		{`{ ping: {}, `, "expected a key or '}', found end of input"},
		{`{ ping: {} `, "expected ',' or '}' after the value of \"ping\", found end of input"},
		{`{ ping {} }`, `expected ':' after key "ping", found '{'`},
		{`{ ping: {} ; }`, `expected ',' or '}' after the value of "ping", found ';'`},
		{`{ exec: { args: ["a" "b"] } }`, "expected ',' or ']' in the array"},
		{`{ ping: @ }`, "expected a value, found '@'"},
		{`{ ping: {} /* open`, "unterminated /* comment"},
		{`{ output: "\0123" }`, "octal escapes are not supported"},
		{strings.Repeat("{ a: ", 100), "nested deeper than 64 levels"},
		{`{ write: { content: 5 } }`, "content is bytes: expected a string"},
		{`{ ok: { x: 1 } }`, `OK has no field "x" (it has no fields; write {})`},
	}
	for _, c := range cases {
		_, err := Parse(c.src)
		if err == nil {
			t.Errorf("Parse(%q) succeeded, want an error containing %q", c.src, c.want)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q)\n  error %q\n  want  %q", c.src, err, c.want)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("Parse(%q): error spans lines: %q", c.src, err)
		}
	}
}

func TestFormat(t *testing.T) {
	cases := []struct {
		cmd  *api.Command
		want string
	}{
		{&api.Command{}, `{}`},
		{&api.Command{Ref: "r", Body: &api.Command_Ok{Ok: &api.OK{}}}, `{ ok: {} }`},
		{&api.Command{Body: &api.Command_State{State: api.State_Stopped}}, `{ state: "Stopped" }`},
		{&api.Command{Body: &api.Command_Output{Output: "<&>\u2028\x01\"\\"}}, `{ output: "\u003c\u0026\u003e\u2028\u0001\"\\" }`},
		{&api.Command{Body: &api.Command_Write{Write: &api.File{Path: "b", Content: []byte{'a', 0xff, 0xc3, 0xa9}}}}, `{ write: { path: "b", content: "a\xffé" } }`},
		{&api.Command{Body: &api.Command_Exec{Exec: &api.Exec{Args: []string{}, Env: map[string]string{"b": "2", "a-b": "1"}}}}, `{ exec: { env: { "a-b": "1", b: "2" } } }`},
		{&api.Command{Body: &api.Command_Exec{Exec: &api.Exec{Lifecycle: 7}}}, `{ exec: { lifecycle: 7 } }`},
		{&api.Command{Body: &api.Command_FileEvent{FileEvent: &api.FileEvent{File: &api.File{Path: "x"}}}}, `{ fileEvent: { file: { path: "x" }, op: "Create" } }`},
		{&api.Command{Body: &api.Command_ExitCodeEvent{ExitCodeEvent: -3}}, `{ exitCodeEvent: -3 }`},
	}
	for _, c := range cases {
		if got := Format(c.cmd); got != c.want {
			t.Errorf("Format(%v)\n got %s\nwant %s", c.cmd, got, c.want)
		}
	}
}

// TestSeedOutputs checks that every output line of the seed document in
// the canonical style is exactly what Format prints for what it says.
func TestSeedOutputs(t *testing.T) {
	f, err := os.Open("testdata/seed_outputs.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	for sc := bufio.NewScanner(f); sc.Scan(); {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		n++
		cmd, err := Parse(line)
		if err != nil {
			t.Errorf("Parse(%s): %v", line, err)
			continue
		}
		if got := Format(cmd); got != line {
			t.Errorf("Format(Parse(x)) != x\n   x: %s\n got: %s", line, got)
		}
	}
	if n < 30 {
		t.Fatalf("only %d seed lines checked", n)
	}
}

// TestStringsMatchEncodingJSON checks writeString against encoding/json on
// text that exercises every escape.
func TestStringsMatchEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", "<a href='x'>&amp;</a>", "\x00\x01\x1f\x7f", "\b\f\n\r\t", "é😀\u2028\u2029", "bad \xff utf8"} {
		var b strings.Builder
		writeString(&b, s, false)
		want, _ := json.Marshal(s)
		if b.String() != string(want) {
			t.Errorf("writeString(%q) = %s, encoding/json says %s", s, b.String(), want)
		}
	}
}

func TestFloats(t *testing.T) {
	for _, f := range []float64{0, 1, -2.5, 1e21, 1e-7, math.NaN(), math.Inf(1), math.Inf(-1)} {
		var b strings.Builder
		writeFloat(&b, f, false)
		got, ok := numberValue(b.String())
		if b.String() == "NaN" {
			ok, got = true, math.NaN()
		}
		if !ok || !(got == f || math.IsNaN(f) && math.IsNaN(got)) {
			t.Errorf("float %v prints as %s, which reads back as %v", f, b.String(), got)
		}
	}
}

func FuzzParse(f *testing.F) {
	seeds, _ := os.ReadFile("testdata/seed_outputs.txt")
	for _, line := range strings.Split(string(seeds), "\n") {
		f.Add(line)
	}
	f.Add(`{ exec: { args: ["a"], env: { A: "b" }, lifecycle: stdin } }`)
	f.Add(`{ write: { path: "a", content: "\xff\u{1F600}" } }`)
	f.Add(`{ resizeTerm: { rows: 0x10, cols: 1e2 } } // c`)
	f.Fuzz(func(t *testing.T, src string) {
		cmd, err := Parse(src)
		if err != nil {
			if strings.Contains(err.Error(), "\n") && !strings.Contains(src, "\n") {
				t.Fatalf("multi-line error for one-line input: %q", err)
			}
			return
		}
		if _, err := proto.Marshal(cmd); err != nil {
			t.Fatalf("Parse(%q) built a command that does not marshal: %v", src, err)
		}
		out := Format(cmd)
		if !utf8.ValidString(out) {
			t.Fatalf("Format printed invalid UTF-8: %q", out)
		}
		again, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(Format(Parse(%q))) = %v; Format gave %s", src, err, out)
		}
		if !proto.Equal(cmd, trimToBody(again)) && !proto.Equal(trimToBody(cmd), again) {
			t.Fatalf("round trip changed the command:\n src %q\n out %s\n got %v\nwant %v", src, out, again, cmd)
		}
	})
}

// trimToBody drops the envelope fields Format does not print.
func trimToBody(c *api.Command) *api.Command { return &api.Command{Body: c.Body} }
