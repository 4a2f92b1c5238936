package api_test

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/test/kit/testutil"
)

// corpus covers every kind of field pid1 speaks: enums, oneofs, maps,
// repeated scalars (packed) and messages, bytes, 64-bit ints, negative and
// sint values, timestamps and non-ASCII text.
func corpus() map[string]*api.Command {
	ts := &timestamppb.Timestamp{Seconds: 1795000000, Nanos: 123000000}
	allBytes := make([]byte, 256)
	for i := range allBytes {
		allBytes[i] = byte(i)
	}
	return map[string]*api.Command{
		"openChan":       {Ref: "r1", Body: &api.Command_OpenChan{OpenChan: &api.OpenChannel{Service: "chat", Name: "chatter", Action: api.OpenChannel_ATTACH_OR_CREATE}}},
		"openChanResErr": {Ref: "r2", Session: 2, Body: &api.Command_OpenChanRes{OpenChanRes: &api.OpenChannelRes{Id: 3, State: api.OpenChannelRes_ERROR, Error: `unknown service "x"`}}},
		"closeChan":      {Body: &api.Command_CloseChan{CloseChan: &api.CloseChannel{Id: 4, Action: api.CloseChannel_CLOSE}}},
		"closeChanRes":   {Ref: "r3", Body: &api.Command_CloseChanRes{CloseChanRes: &api.CloseChannelRes{Id: 4, Status: api.CloseChannelRes_NOTHING}}},
		"ready":          {Body: &api.Command_ContainerState{ContainerState: &api.ContainerState{State: api.ContainerState_READY}}},
		"bootStatus":     {Body: &api.Command_BootStatus{BootStatus: &api.BootStatus{Stage: api.BootStatus_PULL_FILES, Progress: 3, Total: 9}}},
		"pong":           {Ref: "zz", Body: &api.Command_Pong{Pong: &api.Pong{}}},
		"protocolError":  {Body: &api.Command_ProtocolError{ProtocolError: &api.ProtocolError{Text: "bad frame"}}},
		"chatMessage":    {Channel: 7, Session: -2, Body: &api.Command_ChatMessage{ChatMessage: &api.ChatMessage{Username: "ann", Text: "héllo 😀 <b>"}}},
		"chatTyping":     {Channel: 7, Body: &api.Command_ChatTyping{ChatTyping: &api.ChatTyping{Username: "ann", Typing: true}}},
		"chatScrollback": {Channel: 7, Body: &api.Command_ChatScrollback{ChatScrollback: &api.ChatScrollback{Scrollback: []*api.ChatMessage{{Username: "a", Text: "1"}, {Username: "b", Text: "2"}}}}},
		"roster": {Channel: 1, Body: &api.Command_Roster{Roster: &api.Roster{
			User:  []*api.User{{Id: 4000000000, Name: "ann", Session: 2, Roles: []string{"owner"}}, {Id: 2, Name: "bo", Session: 3}},
			Files: []*api.FileOpened{{UserId: 2, File: "main.py", Session: 3, Timestamp: ts}}}}},
		"join":                    {Channel: 1, Body: &api.Command_Join{Join: &api.User{Id: 1, Name: "x", Session: 9}}},
		"part":                    {Channel: 1, Body: &api.Command_Part{Part: &api.User{Id: 1, Name: "x", Session: 9}}},
		"fileOpened":              {Channel: 1, Body: &api.Command_FileOpened{FileOpened: &api.FileOpened{UserId: 5, File: "a/b.go", Session: 2, Timestamp: ts}}},
		"followUser":              {Channel: 1, Body: &api.Command_FollowUser{FollowUser: &api.FollowUser{Session: 3}}},
		"sessionTimestampUpdated": {Channel: 1, Body: &api.Command_SessionTimestampUpdated{SessionTimestampUpdated: &api.SessionTimestampUpdated{Session: 3, Timestamp: ts}}},
		"exec": {Channel: 2, Ref: "e", Body: &api.Command_Exec{Exec: &api.Exec{Args: []string{"sh", "-c", "echo $A"},
			Env: map[string]string{"A": "1", "B": "ü"}, Lifecycle: api.Exec_STDIN, SplitStderr: true, SplitLogs: true, NoUserEnv: true}}},
		"output":     {Channel: 2, Body: &api.Command_Output{Output: "line 1\n\x1b[31mred\x1b[0m 😀\n"}},
		"error":      {Channel: 2, Ref: "e", Body: &api.Command_Error{Error: "exit status 1"}},
		"state":      {Channel: 2, Body: &api.Command_State{State: api.State_Running}},
		"inputClose": {Channel: 2, Body: &api.Command_InputClose{}},
		"exitCode":   {Channel: 2, Body: &api.Command_ExitCodeEvent{ExitCodeEvent: -3}},
		"ot": {Channel: 8, Ref: "o", Body: &api.Command_Ot{Ot: &api.OTPacket{SpookyVersion: 5, Version: 5, Crc32: 0xdeadbeef, Committed: ts, UserId: 7,
			Author: api.OTPacket_GHOSTWRITER, Op: []*api.OTOpComponent{
				{OpComponent: &api.OTOpComponent_Skip{Skip: 3}},
				{OpComponent: &api.OTOpComponent_Insert{Insert: "😀x"}},
				{OpComponent: &api.OTOpComponent_Delete{Delete: 2}}}}}},
		"otstatus": {Channel: 8, Body: &api.Command_Otstatus{Otstatus: &api.OTStatus{Contents: "abc", Version: 12,
			LinkedFile: &api.File{Path: "main.py"},
			Cursors:    []*api.OTCursor{{Position: 1, SelectionStart: 0, SelectionEnd: 2, Id: "c1", User: &api.User{Id: 1, Name: "a"}}}}}},
		"otFetchRequest": {Channel: 8, Body: &api.Command_OtFetchRequest{OtFetchRequest: &api.OTFetchRequest{VersionFrom: 11, VersionTo: 12}}},
		"flush":          {Channel: 8, Body: &api.Command_Flush{Flush: &api.Flush{Consistency: api.Flush_Disk}}},
		"files": {Channel: 4, Body: &api.Command_Files{Files: &api.Files{Files: []*api.File{
			{Path: "src", Type: api.File_DIRECTORY}, {Path: "a.txt"}}}}},
		"statRes":       {Channel: 4, Body: &api.Command_StatRes{StatRes: &api.StatResult{Exists: true, Type: api.File_REGULAR, Size: 1 << 40, FileMode: "-rw-r--r--", ModTime: 1795000000}}},
		"write":         {Channel: 4, Body: &api.Command_Write{Write: &api.File{Path: "bin", Content: allBytes}}},
		"transferChunk": {Channel: 4, Body: &api.Command_TransferChunk{TransferChunk: &api.TransferChunk{Id: "t1", Content: []byte{0, 0xff}}}},
		"move":          {Channel: 4, Body: &api.Command_Move{Move: &api.Move{OldPath: "a", NewPath: "b"}}},
		"fileEventMove": {Channel: 5, Body: &api.Command_FileEvent{FileEvent: &api.FileEvent{File: &api.File{Path: "a"}, Dest: &api.File{Path: "b"}, Op: api.FileEvent_Move}}},
		"resizeTerm":    {Channel: 9, Body: &api.Command_ResizeTerm{ResizeTerm: &api.ResizeTerm{Rows: 40, Cols: 120}}},
		"execInfo":      {Channel: 9, Body: &api.Command_ExecInfo{ExecInfo: &api.ExecInfo{Command: []string{"python3", "main.py"}, Reason: "run"}}},
		"hint":          {Channel: 9, Body: &api.Command_Hint{Hint: &api.Hint{Text: "try this"}}},
		"packageSearchResp": {Channel: 10, Body: &api.Command_PackageSearchResp{PackageSearchResp: &api.PackageSearchResp{Results: []*api.Package{
			{Name: "flask", Version: "3.0", Dependencies: []*api.Package{{Name: "jinja2"}}}}}}},
		"audio":     {Channel: 11, Body: &api.Command_Audio{Audio: &api.Audio{Data: []int32{-1, 0, 1, -2147483648, 2147483647}}}},
		"audio2":    {Channel: 11, Body: &api.Command_Audio2{Audio2: &api.Audio2{Data: []int32{-5, 5}, Samples: 1 << 33}}},
		"traceInfo": {Channel: 12, TraceInfo: map[string]string{"trace": "t", "span": "s"}, Body: &api.Command_Ping{Ping: &api.Ping{}}},
		"startLSP":  {Channel: 12, Body: &api.Command_StartLSP{StartLSP: &api.StartLSP{Language: "python3", LanguageServerId: "pyright"}}},
		"send":      {Channel: 13, Body: &api.Command_Send{Send: &api.Send{Buff: []byte("GET / HTTP/1.0\r\n\r\n")}}},
	}
}

func nodeScript(t *testing.T) string {
	t.Helper()
	return filepath.Join(testutil.NodeDir(t, "@replit/protocol"), "protocol-compat.mjs")
}

type nodeResult struct {
	Name string          `json:"name"`
	Obj  json.RawMessage `json:"obj"`
	Hex  string          `json:"hex"`
}

// TestCompatGoToNodeAndBack encodes the corpus in Go, has @replit/protocol
// decode and re-encode it, and decodes that in Go again. protobufjs drops
// fields it does not know, so equality proves every field number and type
// matches; comparing protobufjs's toObject with Go's view proves the names
// and enum values match too.
func TestCompatGoToNodeAndBack(t *testing.T) {
	script := nodeScript(t)
	var in bytes.Buffer
	c := corpus()
	for name, cmd := range c {
		b, err := proto.Marshal(cmd)
		if err != nil {
			t.Fatal(err)
		}
		line, _ := json.Marshal(map[string]string{"name": name, "hex": hex.EncodeToString(b)})
		in.Write(append(line, '\n'))
	}
	cmd := exec.Command("node", script, "roundtrip")
	cmd.Stdin = &in
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderrOf(err))
	}
	seen := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r nodeResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		want := c[r.Name]
		b, _ := hex.DecodeString(r.Hex)
		got := &api.Command{}
		if err := proto.Unmarshal(b, got); err != nil {
			t.Fatalf("%s: Go cannot decode Node's encoding: %v", r.Name, err)
		}
		if !proto.Equal(got, want) {
			t.Errorf("%s: Go → Node → Go changed the message:\n want %v\n got  %v", r.Name, want, got)
		}
		compareNames(t, r.Name, want, r.Obj)
		seen++
	}
	if seen != len(c) {
		t.Fatalf("node answered %d of %d commands", seen, len(c))
	}
}

// compareNames checks that protobufjs names the same fields, with the same
// enum names, as Go's descriptor (proto names; timestamps aside, whose JSON
// forms differ between the two libraries).
func compareNames(t *testing.T, name string, want *api.Command, nodeObj json.RawMessage) {
	t.Helper()
	goJSON, err := protojson.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	var g, n any
	json.Unmarshal(goJSON, &g)
	json.Unmarshal(nodeObj, &n)
	if diff := treeDiff("", g, n); diff != "" {
		t.Errorf("%s: field names or enum values differ: %s\n go:   %s\n node: %s", name, diff, goJSON, nodeObj)
	}
}

var timestampKeys = map[string]bool{"timestamp": true, "committed": true}

func treeDiff(path string, g, n any) string {
	switch gv := g.(type) {
	case map[string]any:
		nv, ok := n.(map[string]any)
		if !ok {
			return path + ": node has no object"
		}
		for k, v := range gv {
			if timestampKeys[k] {
				if _, ok := nv[k]; !ok {
					return path + "." + k + ": missing in node"
				}
				continue
			}
			if d := treeDiff(path+"."+k, v, nv[k]); d != "" {
				return d
			}
		}
		for k := range nv {
			if _, ok := gv[k]; !ok {
				return path + "." + k + ": only in node"
			}
		}
	case []any:
		nv, ok := n.([]any)
		if !ok || len(nv) != len(gv) {
			return path + ": array differs"
		}
		for i := range gv {
			if d := treeDiff(path, gv[i], nv[i]); d != "" {
				return d
			}
		}
	default:
		// protojson writes 64-bit ints as strings, protobufjs (longs:
		// String) too; 32-bit ints are numbers in both.
		if jsonText(g) != jsonText(n) {
			return path + ": " + jsonText(g) + " vs " + jsonText(n)
		}
	}
	return ""
}

func jsonText(v any) string { b, _ := json.Marshal(v); return string(b) }

func stderrOf(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}

// TestCompatNodeClientFrames decodes frames built the way crosis builds
// them (Command.create + encode) in Go.
func TestCompatNodeClientFrames(t *testing.T) {
	out, err := exec.Command("node", nodeScript(t), "client").Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderrOf(err))
	}
	want := map[string]*api.Command{
		"openChanCreate": {Ref: "abc123", Body: &api.Command_OpenChan{OpenChan: &api.OpenChannel{Service: "exec"}}},
		"openChanNamed":  {Ref: "r2", Body: &api.Command_OpenChan{OpenChan: &api.OpenChannel{Service: "ot", Name: "ot:main.py", Action: api.OpenChannel_ATTACH_OR_CREATE}}},
		"closeChan":      {Ref: "r3", Body: &api.Command_CloseChan{CloseChan: &api.CloseChannel{Id: 7, Action: api.CloseChannel_TRY_CLOSE}}},
		"ping":           {Ref: "r4", Body: &api.Command_Ping{Ping: &api.Ping{}}},
		"input":          {Channel: 3, Body: &api.Command_Input{Input: "echo héllo 😀\n"}},
		"chat":           {Channel: 5, Ref: "r5", Body: &api.Command_ChatMessage{ChatMessage: &api.ChatMessage{Username: "ann", Text: "hi"}}},
		"resize":         {Channel: 9, Body: &api.Command_ResizeTerm{ResizeTerm: &api.ResizeTerm{Rows: 40, Cols: 120}}},
		"otOp": {Channel: 2, Ref: "r6", Body: &api.Command_Ot{Ot: &api.OTPacket{SpookyVersion: 4, Op: []*api.OTOpComponent{
			{OpComponent: &api.OTOpComponent_Skip{Skip: 3}}, {OpComponent: &api.OTOpComponent_Insert{Insert: "x😀"}}, {OpComponent: &api.OTOpComponent_Delete{Delete: 2}}}}}},
		"write": {Channel: 4, Ref: "r7", Body: &api.Command_Write{Write: &api.File{Path: "bin.dat", Content: []byte{0, 1, 2, 254, 255}}}},
		"exec": {Channel: 6, Ref: "r8", Body: &api.Command_Exec{Exec: &api.Exec{Args: []string{"sh", "-c", "echo $X"},
			Env: map[string]string{"X": "y"}, Lifecycle: api.Exec_STDIN, SplitStderr: true}}},
	}
	got := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var r nodeResult
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		b, _ := hex.DecodeString(r.Hex)
		cmd := &api.Command{}
		if err := proto.Unmarshal(b, cmd); err != nil {
			t.Fatalf("%s: %v", r.Name, err)
		}
		if len(cmd.ProtoReflect().GetUnknown()) != 0 {
			t.Errorf("%s: Go sees unknown fields: %x", r.Name, cmd.ProtoReflect().GetUnknown())
		}
		if !proto.Equal(cmd, want[r.Name]) {
			t.Errorf("%s: decoded %v, want %v", r.Name, cmd, want[r.Name])
		}
		got++
	}
	if got != len(want) {
		t.Fatalf("node produced %d of %d frames", got, len(want))
	}
}
