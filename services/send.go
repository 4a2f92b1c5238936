package services

import "github.com/pid1/pid1/api"

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
