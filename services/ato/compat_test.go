package ato_test

import (
	"testing"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/test/kit/testutil"
)

// TestGovalClientsIgnoreATO: @replit/protocol 0.4.27 (what crosis
// decodes with) reads every ato command as a Command with its channel
// and ref and no body it knows, so the field numbers pid1 added collide
// with none of goval's.
func TestGovalClientsIgnoreATO(t *testing.T) {
	cmds := map[string]*api.Command{
		"atoRun":    runCmd("python", "print(1)", "input", "x", "arguments", []string{"a"}, "timeout", 5),
		"atoOutput": {Body: &api.Command_AtoOutput{AtoOutput: &api.AtoOutput{Stream: api.AtoOutput_STDERR, Data: []byte{0, 1, 255}}}},
		"atoDone":   {Ref: "run", Body: &api.Command_AtoDone{AtoDone: &api.AtoDone{StatusType: "exited", Real: 1 << 40, MaxMem: 5}}},
		"atoKill":   {Ref: "k", Body: &api.Command_AtoKill{AtoKill: &api.AtoKill{}}},
	}
	testutil.GovalClientsIgnore(t, cmds)
}
