package ranna_test

import (
	"testing"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/test/kit/testutil"
)

// TestGovalClientsIgnoreRanna: @replit/protocol 0.4.27 (what crosis
// decodes with) reads every ranna command as a Command with its channel
// and ref and no body it knows, so the field numbers pid1 added collide
// with none of goval's.
func TestGovalClientsIgnoreRanna(t *testing.T) {
	cmds := map[string]*api.Command{
		"rannaExec": {Ref: "e", Body: &api.Command_RannaExec{RannaExec: &api.RannaExec{Language: "go", Code: "x", InlineExpression: true,
			Arguments: []string{"a"}, Environment: map[string]string{"K": "v"}, Stdin: "in"}}},
		"rannaSpawn": {Ref: "e", Body: &api.Command_RannaSpawn{RannaSpawn: &api.RannaSpawn{Runid: "ab"}}},
		"rannaLog":   {Body: &api.Command_RannaLog{RannaLog: &api.RannaLog{Runid: "ab", Stdout: []byte{0, 255}, Stderr: []byte("e")}}},
		"rannaStop": {Ref: "e", Body: &api.Command_RannaStop{RannaStop: &api.RannaStop{Runid: "ab", Exectimems: 1 << 40, Exitcode: -1,
			Signal: 9, Timedout: true, Killed: true, Truncated: true, Error: "x"}}},
		"rannaKill": {Ref: "k", Body: &api.Command_RannaKill{RannaKill: &api.RannaKill{Runid: "ab"}}},
	}
	testutil.GovalClientsIgnore(t, cmds)
}
