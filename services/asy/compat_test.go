package asy_test

import (
	"testing"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/test/kit/testutil"
)

// TestGovalClientsIgnoreAsy: @replit/protocol 0.4.27 (what crosis
// decodes with) reads every asy command as a Command with its channel
// and ref and no body it knows, so the field numbers pid1 added collide
// with none of goval's.
func TestGovalClientsIgnoreAsy(t *testing.T) {
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
	testutil.GovalClientsIgnore(t, cmds)
}
