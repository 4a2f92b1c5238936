package conman_test

import (
	"errors"
	"testing"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/services/chat"
)

type panicky struct{}

func (panicky) Attach(services.Session) {}
func (panicky) Command(_ services.Session, cmd *api.Command) error {
	if cmd.GetInput() == "boom" {
		panic("service bug")
	}
	return errors.New("only boom")
}
func (panicky) Detach(services.Session) {}
func (panicky) Close()                  {}

// A panicking service is answered with an error; pid1 and its other
// channels carry on.
func TestServicePanicIsContained(t *testing.T) {
	t.Parallel()
	h := newTestHub(t, func(c *conman.Config) {
		c.Registry = services.NewRegistry(chat.Descriptor, presenceDescriptor(), services.Descriptor{
			Name: "panicky", New: func(services.Channel) (services.Service, error) { return panicky{}, nil }})
	})
	c := h.dial(t, "x")
	p := open(t, c, "panicky", "", api.OpenChannel_CREATE)
	r, err := p.Request(ctxT(t), &api.Command{Body: &api.Command_Input{Input: "boom"}})
	if err != nil || r.GetError() != "internal error in service panicky" {
		t.Fatalf("panic reply: %v %v", r, err)
	}
	r, err = p.Request(ctxT(t), &api.Command{Body: &api.Command_Input{Input: "again"}})
	if err != nil || r.GetError() != "only boom" {
		t.Fatalf("after panic: %v %v", r, err)
	}
	if _, err := c.Ping(ctxT(t)); err != nil {
		t.Fatal(err)
	}
}

// A constructor error refuses the channel with its text.
func TestConstructorErrorRefusesChannel(t *testing.T) {
	t.Parallel()
	h := newTestHub(t, func(c *conman.Config) {
		c.Registry = services.NewRegistry(presenceDescriptor(), services.Descriptor{
			Name: "broken", New: func(services.Channel) (services.Service, error) { return nil, errors.New("no disk") }})
	})
	_, err := h.dial(t, "x").Open(ctxT(t), "broken", "", api.OpenChannel_CREATE)
	if err == nil || err.Error() != "openChan refused: service broken refused the channel: no disk" {
		t.Fatalf("got %v", err)
	}
}
