package chat

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/services"
)

// ScrollbackLen is how many messages a new session is sent.
const ScrollbackLen = 100

// Descriptor registers the service.
var Descriptor = services.Descriptor{Name: "chat", WellKnown: "chatter", New: New}

// Chat is one chat channel.
type Chat struct {
	ch         services.Channel
	scrollback []*api.ChatMessage // oldest first, at most ScrollbackLen
}

var _ services.Service = (*Chat)(nil)

// New builds a chat service on ch.
func New(ch services.Channel) (services.Service, error) {
	return &Chat{ch: ch}, nil
}

// Attach replays the scrollback to s.
func (c *Chat) Attach(s services.Session) {
	for _, m := range c.scrollback {
		services.To(c.ch, s.ID, &api.Command{Body: &api.Command_ChatMessage{ChatMessage: m}})
	}
}

// Command relays chat messages and typing notices to the other sessions.
func (c *Chat) Command(s services.Session, cmd *api.Command) error {
	switch b := cmd.Body.(type) {
	case *api.Command_ChatMessage:
		m := proto.Clone(b.ChatMessage).(*api.ChatMessage)
		m.Username = s.User.Name
		if len(c.scrollback) == ScrollbackLen {
			copy(c.scrollback, c.scrollback[1:])
			c.scrollback = c.scrollback[:ScrollbackLen-1]
		}
		c.scrollback = append(c.scrollback, m)
		services.Others(c.ch, s.ID, &api.Command{Body: &api.Command_ChatMessage{ChatMessage: m}})
	case *api.Command_ChatTyping:
		t := proto.Clone(b.ChatTyping).(*api.ChatTyping)
		t.Username = s.User.Name
		services.Others(c.ch, s.ID, &api.Command{Body: &api.Command_ChatTyping{ChatTyping: t}})
	default:
		return fmt.Errorf("chat takes chatMessage and chatTyping, not %s", services.BodyName(cmd))
	}
	return nil
}
