package ranna_test

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

// TestGovalClientsIgnoreRanna: @replit/protocol 0.4.27 (what crosis
// decodes with) reads every ranna command as a Command with its channel
// and ref and no body it knows, so the field numbers pid1 added collide
// with none of goval's.
func TestGovalClientsIgnoreRanna(t *testing.T) {
	dir := testutil.NodeDir(t, "@replit/protocol")
	cmds := map[string]*api.Command{
		"rannaExec": {Ref: "e", Body: &api.Command_RannaExec{RannaExec: &api.RannaExec{Language: "go", Code: "x", InlineExpression: true,
			Arguments: []string{"a"}, Environment: map[string]string{"K": "v"}, Stdin: "in"}}},
		"rannaSpawn": {Ref: "e", Body: &api.Command_RannaSpawn{RannaSpawn: &api.RannaSpawn{Runid: "ab"}}},
		"rannaLog":   {Body: &api.Command_RannaLog{RannaLog: &api.RannaLog{Runid: "ab", Stdout: []byte{0, 255}, Stderr: []byte("e")}}},
		"rannaStop": {Ref: "e", Body: &api.Command_RannaStop{RannaStop: &api.RannaStop{Runid: "ab", Exectimems: 1 << 40, Exitcode: -1,
			Signal: 9, Timedout: true, Killed: true, Truncated: true, Error: "x"}}},
		"rannaKill": {Ref: "k", Body: &api.Command_RannaKill{RannaKill: &api.RannaKill{Runid: "ab"}}},
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
