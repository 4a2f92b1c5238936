package ot_test

import (
	"context"
	"testing"
	"time"

	"github.com/pid1/pid1/api"
	otsvc "github.com/pid1/pid1/services/ot"
	"github.com/pid1/pid1/test/kit/servicetest"
)

func cursorCmd(id string, pos, s, e uint32) *api.Command {
	return &api.Command{Body: &api.Command_OtNewCursor{OtNewCursor: &api.OTCursor{
		Id: id, Position: pos, SelectionStart: s, SelectionEnd: e, User: &api.User{Id: 999, Name: "spoofed"}}}}
}

func TestCursorsAreKeptMovedAndRelayed(t *testing.T) {
	url, _ := serve(t, nil, otsvc.Limits{})
	ada, _ := open(t, url, "ada", "ot:x")
	bobClient := servicetest.Dial(t, url("bob"))
	bob := servicetest.OpenOn(t, bobClient, "ot", "ot:x")
	servicetest.Next(t, bob) // otstatus
	commit(t, ada, 0, ins("hello world"))
	packet(t, bob)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := bob.Send(ctx, cursorCmd("bob-1", 6, 6, 11)); err != nil {
		t.Fatal(err)
	}
	c := servicetest.Next(t, ada).GetOtNewCursor()
	if c.GetId() != "bob-1" || c.GetPosition() != 6 || c.GetSelectionEnd() != 11 ||
		c.GetUser().GetId() != servicetest.UserID("bob") || c.GetUser().GetName() != "bob" {
		t.Fatalf("relayed cursor: %v", c)
	}
	servicetest.Quiet(t, bob, 100*time.Millisecond) // not echoed to its owner

	// An insert before the cursor moves it; a newcomer sees it moved.
	commit(t, ada, 1, ins(">> "))
	packet(t, bob)
	_, st := open(t, url, "cy", "ot:x")
	if cs := st.GetCursors(); len(cs) != 1 || cs[0].GetPosition() != 9 || cs[0].GetSelectionStart() != 9 || cs[0].GetSelectionEnd() != 14 {
		t.Fatalf("cursors in otstatus: %v", cs)
	}

	refused(t, ada, cursorCmd("bob-1", 0, 0, 0), `otNewCursor: cursor id "bob-1" belongs to another session; pick a unique id`)
	refused(t, ada, cursorCmd("a", 99, 0, 0), "otNewCursor: position 99 is past the end of the document (14 code points)")
	refused(t, ada, cursorCmd("", 0, 0, 0), `otNewCursor needs an id, e.g. { otNewCursor: { id: "c1", position: 0 } }`)
	refused(t, ada, &api.Command{Body: &api.Command_OtDeleteCursor{OtDeleteCursor: &api.OTCursor{Id: "bob-1"}}},
		`otDeleteCursor: cursor "bob-1" belongs to another session`)

	// When bob leaves, his cursors go and the others are told.
	bobClient.Close()
	if d := servicetest.Next(t, ada).GetOtDeleteCursor(); d.GetId() != "bob-1" {
		t.Fatalf("after bob left: %v", d)
	}
	_, st = open(t, url, "dee", "ot:x")
	if len(st.GetCursors()) != 0 {
		t.Fatalf("cursors after their owner left: %v", st.GetCursors())
	}
}

func TestCursorLimit(t *testing.T) {
	url, _ := serve(t, nil, otsvc.Limits{CursorsPerSession: 2})
	ada, _ := open(t, url, "ada", "ot:x")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, id := range []string{"1", "2", "2"} { // moving your own cursor is fine
		ada.Send(ctx, cursorCmd(id, 0, 0, 0))
	}
	refused(t, ada, cursorCmd("3", 0, 0, 0), "otNewCursor: a session may have at most 2 cursors; delete one first")
	ada.Send(ctx, &api.Command{Body: &api.Command_OtDeleteCursor{OtDeleteCursor: &api.OTCursor{Id: "1"}}})
	if r := servicetest.Request(t, ada, cursorCmd("3", 0, 0, 0)); r.GetError() != "" {
		t.Fatalf("after a delete: %v", r)
	}
}
