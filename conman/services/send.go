package services

import (
	"github.com/pid1/pid1/api"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Reply sends body to the session that sent req, carrying req's ref.
func Reply(ch Channel, s Session, req *api.Command, body *api.Command) {
	body.Session = s.ID
	body.Ref = req.GetRef()
	ch.Send(body)
}

// To sends cmd to session id only.
func To(ch Channel, id int32, cmd *api.Command) {
	cmd.Session = id
	ch.Send(cmd)
}

// Broadcast sends cmd to every attached session.
func Broadcast(ch Channel, cmd *api.Command) {
	cmd.Session = 0
	ch.Send(cmd)
}

// Others sends cmd to every attached session except id.
func Others(ch Channel, id int32, cmd *api.Command) {
	cmd.Session = -id
	ch.Send(cmd)
}

// OK is the empty `ok` reply body.
func OK() *api.Command { return &api.Command{Body: &api.Command_Ok{Ok: &api.OK{}}} }

// ErrorCommand is an `error` command body with text msg.
func ErrorCommand(msg string) *api.Command {
	return &api.Command{Body: &api.Command_Error{Error: msg}}
}

// State is the `state` command saying whether a program runs.
func State(running bool) *api.Command {
	st := api.State_Stopped
	if running {
		st = api.State_Running
	}
	return &api.Command{Body: &api.Command_State{State: st}}
}

// BlockStart is the outputBlockStartEvent that opens the output of one run
// (Run) or of user code in an interpreter (Interpret), now.
func BlockStart(mode api.OutputBlockStartEvent_ExecutionMode) *api.Command {
	return &api.Command{Body: &api.Command_OutputBlockStartEvent{OutputBlockStartEvent: &api.OutputBlockStartEvent{
		ExecutionMode: mode, MeasureStartTime: timestamppb.Now()}}}
}

// BlockEnd is the outputBlockEndEvent that closes a run's output with its
// exit code (as a shell reports it: 128+signal when killed), now.
func BlockEnd(exitCode int) *api.Command {
	return &api.Command{Body: &api.Command_OutputBlockEndEvent{OutputBlockEndEvent: &api.OutputBlockEndEvent{
		ExitCode: int32(exitCode), MeasureEndTime: timestamppb.Now()}}}
}

// Exit codes of runs that did not end by themselves, as a shell reports
// them.
const (
	ExitNotStarted = 127 // the program could not be started
	ExitKilled     = 137 // stopped with SIGKILL (128+9)
)
