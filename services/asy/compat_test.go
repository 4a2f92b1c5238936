package asy_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/test/kit/testutil"
)

// TestGovalClientsIgnoreAsy: @replit/protocol 0.4.27 (what crosis
// decodes with) reads every asy command as a Command with its channel
// and ref and no body it knows, so the field numbers pid1 added collide
// with none of goval's.
func TestGovalClientsIgnoreAsy(t *testing.T) {
	dir := testutil.NodeDir(t, "@replit/protocol")
	f := &api.AsyFile{Filename: "a.asy", Contents: []byte{0, 255}, Hash: "ab", Restore: true}
	cmds := map[string]*api.Command{
		"asyRun": {Ref: "r", Body: &api.Command_AsyRun{AsyRun: &api.AsyRun{Files: []*api.AsyFile{f}, Main: "a.asy", Format: "png",
			Duration: 3, StderrApart: true, Verbosity: 2, Interactive: true, Stdin: []byte("x")}}},
		"asyStatus":   {Body: &api.Command_AsyStatus{AsyStatus: &api.AsyStatus{Estimate: 1.5, Announcement: "a"}}},
		"asyOutput":   {Body: &api.Command_AsyOutput{AsyOutput: &api.AsyOutput{Stream: api.AsyOutput_STDERR, Data: []byte("o")}}},
		"asyResult":   {Body: &api.Command_AsyResult{AsyResult: &api.AsyResult{Format: "svg", Image: []byte("<svg/>")}}},
		"asyComplete": {Ref: "r", Body: &api.Command_AsyComplete{AsyComplete: &api.AsyComplete{Error: "Execution failed"}}},
		"asyMissing":  {Ref: "r", Body: &api.Command_AsyMissing{AsyMissing: &api.AsyMissing{Files: []*api.AsyFile{f}}}},
		"asyInput":    {Ref: "i", Body: &api.Command_AsyInput{AsyInput: &api.AsyInput{Data: []byte("x")}}},
		"asyOptions":  {Ref: "o", Body: &api.Command_AsyOptions{AsyOptions: &api.AsyOptions{Duration: 1}}},
		"asyKill":     {Ref: "k", Body: &api.Command_AsyKill{AsyKill: &api.AsyKill{}}},
	}
	var in bytes.Buffer
	for name, c := range cmds {
		c.Channel = 7
		b, err := proto.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		line, _ := json.Marshal(map[string]string{"name": name, "hex": hex.EncodeToString(b)})
		in.Write(append(line, '\n'))
	}
	cmd := exec.Command("node", filepath.Join(dir, "protocol-compat.mjs"), "roundtrip")
	cmd.Stdin = &in
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var r struct {
			Name string         `json:"name"`
			Obj  map[string]any `json:"obj"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		want := map[string]any{"channel": float64(7)}
		if ref := cmds[r.Name].Ref; ref != "" {
			want["ref"] = ref
		}
		if len(r.Obj) != len(want) {
			t.Errorf("%s: @replit/protocol read %v, want only %v", r.Name, r.Obj, want)
		}
		for k, v := range want {
			if r.Obj[k] != v {
				t.Errorf("%s: %s is %v, want %v", r.Name, k, r.Obj[k], v)
			}
		}
		seen++
	}
	if seen != len(cmds) {
		t.Errorf("node answered %d of %d", seen, len(cmds))
	}
}
