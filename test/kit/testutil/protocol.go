package testutil

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
)

// GovalClientsIgnore checks that @replit/protocol (what crosis decodes
// with) reads each of cmds, by name, as a Command with its channel and ref
// and no body it knows: the field numbers pid1 added collide with none of
// goval's.
func GovalClientsIgnore(t testing.TB, cmds map[string]*api.Command) {
	t.Helper()
	dir := NodeDir(t, "@replit/protocol")
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
