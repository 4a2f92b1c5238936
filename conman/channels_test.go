package conman_test

import (
	"errors"
	"testing"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
)

func TestOpenActions(t *testing.T) {
	t.Parallel()
	h := newTestHub(t, nil)
	a, b := h.dial(t, "alice"), h.dial(t, "bob")

	// CREATE builds a new instance.
	c1 := open(t, a, "chat", "room", api.OpenChannel_CREATE)
	if c1.State != api.OpenChannelRes_CREATED || c1.ID == 0 {
		t.Fatalf("CREATE gave state %v id %d", c1.State, c1.ID)
	}
	// ATTACH joins the named instance.
	c2 := open(t, b, "chat", "room", api.OpenChannel_ATTACH)
	if c2.State != api.OpenChannelRes_ATTACHED || c2.ID != c1.ID {
		t.Fatalf("ATTACH gave state %v id %d, want ATTACHED %d", c2.State, c2.ID, c1.ID)
	}
	// ATTACH_OR_CREATE attaches when the name exists...
	c3 := open(t, h.dial(t, "carol"), "chat", "room", api.OpenChannel_ATTACH_OR_CREATE)
	if c3.State != api.OpenChannelRes_ATTACHED || c3.ID != c1.ID {
		t.Fatalf("ATTACH_OR_CREATE on existing gave %v %d", c3.State, c3.ID)
	}
	// ...and creates when it does not.
	c4 := open(t, a, "chat", "other", api.OpenChannel_ATTACH_OR_CREATE)
	if c4.State != api.OpenChannelRes_CREATED || c4.ID == c1.ID {
		t.Fatalf("ATTACH_OR_CREATE on new gave %v %d", c4.State, c4.ID)
	}
	// Anonymous channels are always new.
	c5 := open(t, a, "chat", "", api.OpenChannel_CREATE)
	c6 := open(t, b, "chat", "", api.OpenChannel_ATTACH_OR_CREATE)
	if c5.ID == c6.ID {
		t.Fatal("two anonymous channels share an id")
	}

	refusals := []struct {
		service, name string
		action        api.OpenChannel_Action
		want          string
	}{
		{"nosuch", "", api.OpenChannel_CREATE, `unknown service "nosuch"`},
		{"", "", api.OpenChannel_CREATE, "needs a service"},
		{"chat", "missing", api.OpenChannel_ATTACH, `no channel named "missing"`},
		{"chat", "", api.OpenChannel_ATTACH, "ATTACH needs a channel name"},
		{"presence", "room", api.OpenChannel_ATTACH, `runs service "chat", not "presence"`},
		{"chat", "room", api.OpenChannel_ATTACH, "already open in this session"},
		{"chat", "room", api.OpenChannel_CREATE, `a channel named "room" already exists`},
		{"presence", "presencer", api.OpenChannel_CREATE, `a channel named "presencer" already exists`},
	}
	for _, r := range refusals {
		_, err := a.Open(ctxT(t), r.service, r.name, r.action)
		var oe *client.OpenError
		if !errors.As(err, &oe) || !contains(oe.Text, r.want) {
			t.Errorf("open %q/%q %v: got %v, want an ERROR containing %q", r.service, r.name, r.action, err, r.want)
		}
	}
	// The connection survives every refusal.
	if _, err := a.Ping(ctxT(t)); err != nil {
		t.Fatalf("ping after refusals: %v", err)
	}
}

func contains(s, sub string) bool {
	return len(sub) == 0 || (len(s) >= len(sub) && indexOf(s, sub) >= 0)
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func TestCloseActions(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		named      bool
		others     int // other sessions attached
		action     api.CloseChannel_Action
		wantStatus api.CloseChannelRes_Status
		survives   bool // can a new session still ATTACH afterwards?
	}{
		{"disconnect named alone", true, 0, api.CloseChannel_DISCONNECT, api.CloseChannelRes_DISCONNECT, true},
		{"disconnect named shared", true, 1, api.CloseChannel_DISCONNECT, api.CloseChannelRes_DISCONNECT, true},
		{"disconnect anonymous", false, 0, api.CloseChannel_DISCONNECT, api.CloseChannelRes_CLOSE, false},
		{"try_close last", true, 0, api.CloseChannel_TRY_CLOSE, api.CloseChannelRes_CLOSE, false},
		{"try_close shared", true, 1, api.CloseChannel_TRY_CLOSE, api.CloseChannelRes_DISCONNECT, true},
		{"try_close anonymous", false, 0, api.CloseChannel_TRY_CLOSE, api.CloseChannelRes_CLOSE, false},
		{"close alone", true, 0, api.CloseChannel_CLOSE, api.CloseChannelRes_CLOSE, false},
		{"close shared", true, 2, api.CloseChannel_CLOSE, api.CloseChannelRes_CLOSE, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newTestHub(t, nil)
			name := ""
			if tc.named {
				name = "room"
			}
			owner := h.dial(t, "owner")
			ch := open(t, owner, "chat", name, api.OpenChannel_CREATE)
			var others []*client.Channel
			for range tc.others {
				others = append(others, open(t, h.dial(t, "other"), "chat", name, api.OpenChannel_ATTACH))
			}
			status, err := ch.Close(ctxT(t), tc.action)
			if err != nil {
				t.Fatal(err)
			}
			if status != tc.wantStatus {
				t.Fatalf("status %v, want %v", status, tc.wantStatus)
			}
			if tc.action == api.CloseChannel_CLOSE {
				// Everyone else is told and their stream ends.
				for _, o := range others {
					for range o.Stream() {
					}
				}
			} else {
				// Others are unaffected: they still chat with each other.
				if len(others) > 0 {
					late := open(t, h.dial(t, "late"), "chat", name, api.OpenChannel_ATTACH)
					if err := others[0].Send(ctxT(t), chatMsg("still here")); err != nil {
						t.Fatal(err)
					}
					if got := next(t, late.Stream()).GetChatMessage().GetText(); got != "still here" {
						t.Fatalf("late joiner got %q", got)
					}
				}
			}
			if tc.named {
				_, err := h.dial(t, "probe").Open(ctxT(t), "chat", name, api.OpenChannel_ATTACH)
				if (err == nil) != tc.survives {
					t.Fatalf("attach after close: err=%v, want survive=%v", err, tc.survives)
				}
			}
			// Closing again is NOTHING: the channel is no longer open here.
			status, err = ch.Close(ctxT(t), tc.action)
			if err != nil || status != api.CloseChannelRes_NOTHING {
				t.Fatalf("second close: %v %v", status, err)
			}
		})
	}
}

func TestSessionsNumberedFromTwo(t *testing.T) {
	t.Parallel()
	h := newTestHub(t, nil)
	a := h.dial(t, "a")
	p := open(t, a, "presence", "presencer", api.OpenChannel_ATTACH)
	roster := next(t, p.Stream()).GetRoster()
	if len(roster.GetUser()) != 1 || roster.User[0].Session != 2 {
		t.Fatalf("first session's roster: %v", roster)
	}
}

func TestUnnamedChannelDiesWithSession(t *testing.T) {
	t.Parallel()
	h := newTestHub(t, nil)
	a := h.dial(t, "a")
	open(t, a, "chat", "", api.OpenChannel_CREATE)
	named := open(t, a, "chat", "keep", api.OpenChannel_CREATE)
	if err := named.Send(ctxT(t), chatMsg("remember me")); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Ping(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	a.Close()
	// The named channel outlives its creator, with its scrollback.
	b := h.dial(t, "b")
	ch := open(t, b, "chat", "keep", api.OpenChannel_ATTACH)
	if got := next(t, ch.Stream()).GetChatMessage().GetText(); got != "remember me" {
		t.Fatalf("scrollback after creator left: %q", got)
	}
}

// The presencer, opened by pid1 itself, survives TRY_CLOSE and CLOSE from
// its last session: both only detach the caller, and it can be attached
// again.
func TestPinnedChannelOutlivesClose(t *testing.T) {
	t.Parallel()
	h := newTestHub(t, nil)
	a := h.dial(t, "a")
	for _, action := range []api.CloseChannel_Action{api.CloseChannel_TRY_CLOSE, api.CloseChannel_CLOSE} {
		p := open(t, a, "presence", "presencer", api.OpenChannel_ATTACH)
		next(t, p.Stream()) // roster
		status, err := p.Close(ctxT(t), action)
		if err != nil || status != api.CloseChannelRes_DISCONNECT {
			t.Fatalf("%v on the presencer: %v %v, want DISCONNECT", action, status, err)
		}
	}
	b := h.dial(t, "b")
	p := open(t, b, "presence", "presencer", api.OpenChannel_ATTACH)
	if r := next(t, p.Stream()).GetRoster(); len(r.GetUser()) != 1 || r.User[0].Name != "b" {
		t.Fatalf("roster after the closes: %v", r)
	}
}
