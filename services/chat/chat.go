package chat

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman/services"
)

// Bounds of what chat keeps and relays.
const (
	// ScrollbackLen is how many messages a new session is sent.
	ScrollbackLen = 100
	// ScrollbackBytes bounds the text the scrollback holds; the oldest
	// messages go first.
	ScrollbackBytes = 1 << 20
	// MaxMessageBytes bounds one message's text.
	MaxMessageBytes = 64 << 10
)

// Config configures every chat channel.
type Config struct {
	// ScrollbackCommand sends a joining session the scrollback as one
	// chatScrollback command (goval's form) instead of one chatMessage per
	// saved message (the services document's form, the default). A client
	// gets one or the other, never both.
	ScrollbackCommand bool
}

// Descriptor registers the service with the default Config.
var Descriptor = DescriptorWith(Config{})

// DescriptorWith registers the service with cfg.
func DescriptorWith(cfg Config) services.Descriptor {
	return services.Descriptor{Name: "chat", WellKnown: "chatter", New: func(ch services.Channel) (services.Service, error) {
		return &Chat{ch: ch, cfg: cfg}, nil
	}}
}

// Chat is one chat channel.
type Chat struct {
	ch         services.Channel
	cfg        Config
	scrollback []*api.ChatMessage // oldest first, at most ScrollbackLen and ScrollbackBytes
	bytes      int                // text in scrollback
}

var _ services.Service = (*Chat)(nil)

// New builds a chat service on ch with the default Config.
func New(ch services.Channel) (services.Service, error) { return Descriptor.New(ch) }

// Attach replays the scrollback to s.
func (c *Chat) Attach(s services.Session) {
	if c.cfg.ScrollbackCommand {
		services.To(c.ch, s.ID, &api.Command{Body: &api.Command_ChatScrollback{ChatScrollback: &api.ChatScrollback{
			Scrollback: append([]*api.ChatMessage(nil), c.scrollback...)}}})
		return
	}
	for _, m := range c.scrollback {
		services.To(c.ch, s.ID, &api.Command{Body: &api.Command_ChatMessage{ChatMessage: m}})
	}
}

// Command relays chat messages and typing notices to the other sessions.
func (c *Chat) Command(s services.Session, cmd *api.Command) error {
	switch b := cmd.Body.(type) {
	case *api.Command_ChatMessage:
		if n := len(b.ChatMessage.GetText()); n > MaxMessageBytes {
			return fmt.Errorf("chatMessage of %d bytes is over the limit of %d KiB", n, MaxMessageBytes>>10)
		}
		m := proto.Clone(b.ChatMessage).(*api.ChatMessage)
		m.Username = s.User.Name
		c.keep(m)
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

// keep adds m to the scrollback, dropping the oldest messages beyond its
// bounds.
func (c *Chat) keep(m *api.ChatMessage) {
	c.scrollback = append(c.scrollback, m)
	c.bytes += len(m.Text)
	drop := 0
	for len(c.scrollback)-drop > ScrollbackLen || c.bytes > ScrollbackBytes {
		c.bytes -= len(c.scrollback[drop].Text)
		drop++
	}
	if drop > 0 {
		c.scrollback = append(c.scrollback[:0:0], c.scrollback[drop:]...)
	}
}
