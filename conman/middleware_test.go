package conman_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/services/chat"
)

// tagger is a middleware that records the order in which it sees incoming
// commands and appends its tag to outgoing chat text, so a test can see
// both directions of a chain.
func tagger(tag string, log *[]string, mu *sync.Mutex) services.Middleware {
	return func(next services.Constructor) services.Constructor {
		return func(ch services.Channel) (services.Service, error) {
			inner, err := next(taggingChannel{Channel: ch, tag: tag})
			if err != nil {
				return nil, err
			}
			return recordingService{Wrapped: services.Wrapped{Service: inner}, tag: tag, log: log, mu: mu}, nil
		}
	}
}

type taggingChannel struct {
	services.Channel
	tag string
}

func (t taggingChannel) Send(cmd *api.Command) {
	if m := cmd.GetChatMessage(); m != nil {
		m.Text += "+" + t.tag
	}
	t.Channel.Send(cmd)
}

type recordingService struct {
	services.Wrapped
	tag string
	log *[]string
	mu  *sync.Mutex
}

func (r recordingService) Command(s services.Session, cmd *api.Command) error {
	r.mu.Lock()
	*r.log = append(*r.log, r.tag)
	r.mu.Unlock()
	return r.Service.Command(s, cmd)
}

func TestMiddlewareChainOrder(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var seen []string
	wrapped := chat.Descriptor
	wrapped.New = services.Chain(chat.New, tagger("outer", &seen, &mu), tagger("inner", &seen, &mu))
	h := newTestHub(t, func(c *conman.Config) { c.Registry = services.NewRegistry(wrapped, presenceDescriptor()) })
	a := open(t, h.dial(t, "a"), "chat", "chatter", api.OpenChannel_ATTACH_OR_CREATE)
	b := open(t, h.dial(t, "b"), "chat", "chatter", api.OpenChannel_ATTACH_OR_CREATE)
	if err := a.Send(ctxT(t), chatMsg("x")); err != nil {
		t.Fatal(err)
	}
	got := next(t, b.Stream()).GetChatMessage().GetText()
	// Outgoing: the innermost middleware wraps the channel closest to the
	// service, so it tags first; the outermost tags last.
	if got != "x+inner+outer" {
		t.Fatalf("outgoing text %q, want x+inner+outer", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(seen, ",") != "outer,inner" {
		t.Fatalf("incoming order %v, want outer then inner", seen)
	}
}
