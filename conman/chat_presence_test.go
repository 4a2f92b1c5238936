package conman_test

import (
	"strings"
	"testing"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/conman"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/services/chat"
	"github.com/pid1/pid1/services/presence"
)

func TestChatAmongThreeSessions(t *testing.T) {
	t.Parallel()
	h := newTestHub(t, nil)
	names := []string{"ann", "ben", "cat"}
	var chans = make([]<-chan *api.Command, 3)
	var sends = make([]func(*api.Command), 3)
	for i, n := range names {
		ch := open(t, h.dial(t, n), "chat", "chatter", api.OpenChannel_ATTACH_OR_CREATE)
		chans[i] = ch.Stream()
		sends[i] = func(c *api.Command) {
			if err := ch.Send(ctxT(t), c); err != nil {
				t.Fatal(err)
			}
		}
	}
	sends[0](chatMsg("hi from ann"))
	for _, i := range []int{1, 2} {
		m := next(t, chans[i]).GetChatMessage()
		if m.GetText() != "hi from ann" || m.GetUsername() != "ann" {
			t.Fatalf("%s got %v", names[i], m)
		}
	}
	// A forged username is replaced by the authenticated one.
	sends[1](&api.Command{Body: &api.Command_ChatMessage{ChatMessage: &api.ChatMessage{Username: "ann", Text: "i am ann"}}})
	if m := next(t, chans[0]).GetChatMessage(); m.GetUsername() != "ben" {
		t.Fatalf("forged username got through: %v", m)
	}
	next(t, chans[2])
	sends[2](&api.Command{Body: &api.Command_ChatTyping{ChatTyping: &api.ChatTyping{Typing: true}}})
	for _, i := range []int{0, 1} {
		if ty := next(t, chans[i]).GetChatTyping(); !ty.GetTyping() || ty.GetUsername() != "cat" {
			t.Fatalf("typing to %s: %v", names[i], ty)
		}
	}
	// Nothing is echoed to the sender.
	for i := range chans {
		quiet(t, chans[i])
	}
}

func TestChatScrollbackOnAttach(t *testing.T) {
	t.Parallel()
	h := newTestHub(t, nil)
	ch := open(t, h.dial(t, "writer"), "chat", "chatter", api.OpenChannel_ATTACH_OR_CREATE)
	for i := range 130 {
		if err := ch.Send(ctxT(t), chatMsg(string(rune('a'+i%26))+itoa(i))); err != nil {
			t.Fatal(err)
		}
	}
	// A request on the channel orders us after the 130 sends.
	if r, err := ch.Request(ctxT(t), &api.Command{Body: &api.Command_Ping{Ping: &api.Ping{}}}); err != nil || r.GetError() == "" {
		t.Fatalf("ping on a chat channel should get an error reply, got %v %v", r, err)
	}
	reader := open(t, h.dial(t, "reader"), "chat", "chatter", api.OpenChannel_ATTACH)
	for i := 30; i < 130; i++ {
		want := string(rune('a'+i%26)) + itoa(i)
		if got := next(t, reader.Stream()).GetChatMessage().GetText(); got != want {
			t.Fatalf("scrollback[%d] = %q, want %q", i-30, got, want)
		}
	}
	quiet(t, reader.Stream())
}

// With chat's ScrollbackCommand, a joining session gets the same
// scrollback as one chatScrollback command, and no chatMessage replay.
func TestChatScrollbackAsOneCommand(t *testing.T) {
	t.Parallel()
	h := newTestHub(t, func(c *conman.Config) {
		c.Registry = services.NewRegistry(chat.DescriptorWith(chat.Config{ScrollbackCommand: true}), presenceDescriptor())
	})
	ch := open(t, h.dial(t, "writer"), "chat", "chatter", api.OpenChannel_ATTACH_OR_CREATE)
	for i := range 130 {
		if err := ch.Send(ctxT(t), chatMsg(itoa(i))); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ch.Request(ctxT(t), &api.Command{Body: &api.Command_Ping{Ping: &api.Ping{}}}); err != nil {
		t.Fatal(err)
	}
	reader := open(t, h.dial(t, "reader"), "chat", "chatter", api.OpenChannel_ATTACH)
	sb := next(t, reader.Stream()).GetChatScrollback().GetScrollback()
	if len(sb) != chat.ScrollbackLen {
		t.Fatalf("chatScrollback of %d messages, want %d", len(sb), chat.ScrollbackLen)
	}
	for i, m := range sb {
		if want := itoa(i + 30); m.GetText() != want || m.GetUsername() != "writer" {
			t.Fatalf("scrollback[%d] = %v, want %q from writer", i, m, want)
		}
	}
	quiet(t, reader.Stream())
	// An empty channel sends an empty scrollback: the client knows it has
	// everything.
	empty := open(t, h.dial(t, "late"), "chat", "quiet-room", api.OpenChannel_ATTACH_OR_CREATE)
	if c := next(t, empty.Stream()); c.GetChatScrollback() == nil || len(c.GetChatScrollback().GetScrollback()) != 0 {
		t.Fatalf("joining an empty chat: %v", c)
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

func TestPresenceJoinPart(t *testing.T) {
	t.Parallel()
	h := newTestHub(t, nil)
	a := h.dial(t, "amy")
	pa := open(t, a, "presence", "presencer", api.OpenChannel_ATTACH)
	if r := next(t, pa.Stream()).GetRoster(); len(r.GetUser()) != 1 || r.User[0].Name != "amy" {
		t.Fatalf("amy's roster: %v", r)
	}
	b := h.dial(t, "bo")
	pb := open(t, b, "presence", "presencer", api.OpenChannel_ATTACH)
	if r := next(t, pb.Stream()).GetRoster(); len(r.GetUser()) != 2 {
		t.Fatalf("bo's roster: %v", r)
	}
	j := next(t, pa.Stream()).GetJoin()
	if j.GetName() != "bo" || j.GetSession() == 0 {
		t.Fatalf("join: %v", j)
	}
	// The same user twice is two joins.
	b2 := h.dial(t, "bo")
	open(t, b2, "presence", "presencer", api.OpenChannel_ATTACH)
	if j2 := next(t, pa.Stream()).GetJoin(); j2.GetName() != "bo" || j2.GetSession() == j.GetSession() {
		t.Fatalf("second join: %v", j2)
	}
	next(t, pb.Stream()) // bo sees bo's second session join

	// openFile goes to the others with the opener's session.
	if err := pb.Send(ctxT(t), &api.Command{Body: &api.Command_OpenFile{OpenFile: &api.OpenFile{File: "main.py"}}}); err != nil {
		t.Fatal(err)
	}
	if f := next(t, pa.Stream()).GetFileOpened(); f.GetFile() != "main.py" || f.GetSession() != j.GetSession() || f.GetTimestamp() == nil {
		t.Fatalf("fileOpened: %v", f)
	}
	// followUser is forwarded to the target, naming the follower.
	if err := pa.Send(ctxT(t), &api.Command{Body: &api.Command_FollowUser{FollowUser: &api.FollowUser{Session: j.GetSession()}}}); err != nil {
		t.Fatal(err)
	}
	if f := next(t, pb.Stream()).GetFollowUser(); f.GetSession() <= 1 {
		t.Fatalf("followUser at target: %v", f)
	}
	// Following a session that is not there is an error with the ref.
	r, err := pa.Request(ctxT(t), &api.Command{Body: &api.Command_FollowUser{FollowUser: &api.FollowUser{Session: 999}}})
	if err != nil || r.GetError() != "session 999 is not attached to presence" {
		t.Fatalf("follow missing session: %v %v", r, err)
	}
	next(t, pa.Stream()) // the same reply, as seen on the stream
	// updateSessionTimestamp reaches everyone, sender included.
	if err := pb.Send(ctxT(t), &api.Command{Body: &api.Command_UpdateSessionTimestamp{UpdateSessionTimestamp: &api.UpdateSessionTimestamp{}}}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []<-chan *api.Command{pa.Stream(), pb.Stream()} {
		if u := next(t, s).GetSessionTimestampUpdated(); u.GetSession() != j.GetSession() {
			t.Fatalf("sessionTimestampUpdated: %v", u)
		}
	}
	// bo leaves: amy sees part.
	b.Close()
	if p := next(t, pa.Stream()).GetPart(); p.GetName() != "bo" || p.GetSession() != j.GetSession() {
		t.Fatalf("part: %v", p)
	}
}

// What chat and presence keep and relay is bounded in bytes: an oversized
// message or file name is refused with the limit, and the scrollback keeps
// at most 1 MiB of text, newest first, so late joiners are not flooded.
func TestChatAndPresenceByteCaps(t *testing.T) {
	t.Parallel()
	h := newTestHub(t, nil)
	c := h.dial(t, "writer")
	ch := open(t, c, "chat", "chatter", api.OpenChannel_ATTACH_OR_CREATE)
	r, err := ch.Request(ctxT(t), chatMsg(strings.Repeat("x", chat.MaxMessageBytes+1)))
	if err != nil || r.GetError() != "chatMessage of 65537 bytes is over the limit of 64 KiB" {
		t.Fatalf("an oversized message: %v %v", r, err)
	}
	big := strings.Repeat("y", chat.MaxMessageBytes)
	for i := range 40 { // 2.5 MiB
		if err := ch.Send(ctxT(t), chatMsg(itoa(i)+big[len(itoa(i)):])); err != nil {
			t.Fatal(err)
		}
	}
	if r, err := ch.Request(ctxT(t), &api.Command{Body: &api.Command_Ping{Ping: &api.Ping{}}}); err != nil || r.GetError() == "" {
		t.Fatalf("barrier: %v %v", r, err)
	}
	reader := open(t, h.dial(t, "reader"), "chat", "chatter", api.OpenChannel_ATTACH)
	kept := chat.ScrollbackBytes / chat.MaxMessageBytes
	for i := 40 - kept; i < 40; i++ {
		if got := next(t, reader.Stream()).GetChatMessage().GetText(); !strings.HasPrefix(got, itoa(i)) || len(got) != chat.MaxMessageBytes {
			t.Fatalf("scrollback: got a message starting %.5q, want message %d", got, i)
		}
	}
	quiet(t, reader.Stream())

	pr := open(t, c, "presence", "presencer", api.OpenChannel_ATTACH)
	next(t, pr.Stream()) // the roster
	r, err = pr.Request(ctxT(t), &api.Command{Body: &api.Command_OpenFile{OpenFile: &api.OpenFile{File: strings.Repeat("f", presence.MaxFileName+1)}}})
	if err != nil || r.GetError() != "openFile: a file name of 4097 bytes is over the limit of 4096" {
		t.Fatalf("an oversized file name: %v %v", r, err)
	}
}
