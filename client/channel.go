package client

import (
	"context"
	"fmt"

	"github.com/pid1/pid1/api"
)

// Channel is an open channel of a Client.
type Channel struct {
	c     *Client
	ID    int32
	State api.OpenChannelRes_State // CREATED or ATTACHED
	in    *stream
}

// OpenError is an openChanRes with state ERROR.
type OpenError struct{ Text string }

func (e *OpenError) Error() string { return "openChan refused: " + e.Text }

// Open sends openChan and waits for openChanRes. name may be "" for an
// anonymous channel.
func (c *Client) Open(ctx context.Context, service, name string, action api.OpenChannel_Action) (*Channel, error) {
	ch := &Channel{c: c, in: newStream(c.dead)}
	req := &api.Command{Body: &api.Command_OpenChan{OpenChan: &api.OpenChannel{
		Service: service, Name: name, Action: action}}}
	// Register the channel as its openChanRes is dispatched, so the
	// channel's first frames (which follow the reply) find it.
	r, err := c.requestThen(ctx, req, func(r *api.Command) {
		if res := r.GetOpenChanRes(); res != nil && res.State != api.OpenChannelRes_ERROR {
			ch.ID, ch.State = res.Id, res.State
			c.channels[res.Id] = ch
		}
	})
	if err != nil {
		ch.in.close()
		return nil, err
	}
	res := r.GetOpenChanRes()
	if res == nil {
		return nil, fmt.Errorf("openChan answered with %v", r)
	}
	if res.State == api.OpenChannelRes_ERROR {
		ch.in.close()
		return nil, &OpenError{Text: res.Error}
	}
	return ch, nil
}

// Stream returns every command received on the channel, in order; it is
// closed when the channel or the connection closes.
func (ch *Channel) Stream() <-chan *api.Command { return ch.in.out }

// Send sends cmd on the channel without waiting for anything.
func (ch *Channel) Send(ctx context.Context, cmd *api.Command) error {
	cmd.Channel = ch.ID
	return ch.c.send(ctx, cmd)
}

// Request sends cmd with a fresh ref and returns the first command on the
// channel that carries the ref. That command also appears on Stream.
func (ch *Channel) Request(ctx context.Context, cmd *api.Command) (*api.Command, error) {
	cmd.Channel = ch.ID
	return ch.c.request(ctx, cmd)
}

// Close sends closeChan with action and waits for closeChanRes.
func (ch *Channel) Close(ctx context.Context, action api.CloseChannel_Action) (api.CloseChannelRes_Status, error) {
	r, err := ch.c.request(ctx, &api.Command{Body: &api.Command_CloseChan{CloseChan: &api.CloseChannel{
		Id: ch.ID, Action: action}}})
	if err != nil {
		return 0, err
	}
	res := r.GetCloseChanRes()
	if res == nil || res.Id != ch.ID {
		return 0, fmt.Errorf("closeChan answered with %v", r)
	}
	ch.c.mu.Lock()
	if ch.c.channels[ch.ID] == ch {
		delete(ch.c.channels, ch.ID)
	}
	ch.c.mu.Unlock()
	ch.in.close()
	return res.Status, nil
}
