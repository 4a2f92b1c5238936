package ot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pid1/pid1/api"
	otsvc "github.com/pid1/pid1/services/ot"
	"github.com/pid1/pid1/test/kit/servicetest"
)

func TestFreshBufferBroadcastsEachOpThenAcks(t *testing.T) {
	url, _ := serve(t, nil, otsvc.Limits{})
	ada, st := open(t, url, "ada", "ot:scratch")
	if st.GetContents() != "" || st.GetVersion() != 0 || st.GetLinkedFile() != nil || len(st.GetCursors()) != 0 {
		t.Fatalf("fresh otstatus: %v", st)
	}
	bob, _ := open(t, url, "bob", "ot:scratch")

	before := time.Now()
	mine := commit(t, ada, 0, ins("hi 😭"))
	theirs := packet(t, bob)
	for _, p := range []*api.OTPacket{mine, theirs} {
		if p.GetSpookyVersion() != 1 || p.GetVersion() != 1 || opString(t, p) != `["hi 😭"]` ||
			p.GetCrc32() != crc("hi 😭") || p.GetUserId() != servicetest.UserID("ada") ||
			p.GetCommitted().AsTime().Before(before.Add(-time.Second)) {
			t.Fatalf("got %v", p)
		}
	}
	// Counts are code points: the emoji is one.
	commit(t, bob, 1, skip(1), del(1), skip(2), ins("!"))
	if p := packet(t, ada); p.GetVersion() != 2 || opString(t, p) != `[1,{"d":1},2,"!"]` || p.GetCrc32() != crc("h 😭!") {
		t.Fatalf("ada got %v", p)
	}
	_, st = open(t, url, "cy", "ot:scratch")
	if st.GetContents() != "h 😭!" || st.GetVersion() != 2 {
		t.Fatalf("otstatus after two ops: %v", st)
	}
}

// Two ops made against the same version: the later one is transformed past
// the committed one, which wins the tie at the same position.
func TestConcurrentOpsAreTransformed(t *testing.T) {
	url, _ := serve(t, nil, otsvc.Limits{})
	ada, _ := open(t, url, "ada", "ot:x")
	bob, _ := open(t, url, "bob", "ot:x")
	commit(t, ada, 0, ins("hello world"))
	packet(t, bob)
	commit(t, ada, 1, skip(5), ins(","))                       // v2: "hello, world"
	commit(t, ada, 2, skip(12), ins("!"))                      // v3: "hello, world!"
	p := commit(t, bob, 1, ins("// "), skip(5), ins(" there")) // made against v1
	if p.GetVersion() != 4 || opString(t, p) != `["// ",6," there"]` || p.GetCrc32() != crc("// hello, there world!") {
		t.Fatalf("transformed op: %v (%s)", p, opString(t, p))
	}
	// Same position as a committed insert: the committed one stays first
	// (as bob's " there" went after ada's "," above).
	commit(t, ada, 4, skip(3), ins("A"))
	p = commit(t, bob, 4, skip(3), ins("B"))
	if opString(t, p) != `[4,"B"]` || p.GetCrc32() != crc("// ABhello, there world!") {
		t.Fatalf("tie: %s", opString(t, p))
	}
	// A delete of text someone else already deleted deletes nothing, and
	// still takes a version, so the sender's count stays right.
	commit(t, ada, 6, skip(3), del(2))
	p = commit(t, bob, 6, skip(3), del(2))
	if p.GetVersion() != 8 || opString(t, p) != `[]` {
		t.Fatalf("double delete: %v", p)
	}
}

// A bad op is refused with a message that says why and changes nothing.
func TestInvalidOpsChangeNothing(t *testing.T) {
	url, _ := serve(t, nil, otsvc.Limits{DocBytes: 64})
	ada, _ := open(t, url, "ada", "ot:x")
	commit(t, ada, 0, ins("abc"))
	for _, c := range []struct {
		cmd  *api.Command
		want string
	}{
		{opCmd(1, skip(4), ins("x")), "ot: the op skips or deletes 4 code points, but version 1 has only 3"},
		{opCmd(1, del(9)), "ot: the op skips or deletes 9 code points, but version 1 has only 3"},
		{opCmd(1, ins("")), "ot: component 0: insert text must not be empty"},
		{opCmd(1, skip(0), ins("x")), "ot: component 0: skip of 0: skip count must be positive"},
		{opCmd(1, &api.OTOpComponent{}), "ot: component 0: invalid protobuf op component (no skip, insert or delete)"},
		{opCmd(0, skip(1), ins("x")), "ot: the op skips or deletes 1 code point, but version 0 has only 0"},
		{opCmd(7, ins("x")), "ot: version 7 is ahead of the document, which is at version 1"},
		{opCmd(1, ins(strings.Repeat("x", 62))), "ot: the op would make the document 65 B, over the 64 B limit"},
		{&api.Command{Body: &api.Command_Ping{Ping: &api.Ping{}}}, "ot takes " + otsvc.Ops + ", not ping"},
	} {
		refused(t, ada, c.cmd, c.want)
	}
	// Checked against the op's own version, not the current one.
	commit(t, ada, 1, skip(3), ins("def"))
	refused(t, ada, opCmd(1, skip(5), ins("x")), "ot: the op skips or deletes 5 code points, but version 1 has only 3")
	_, st := open(t, url, "bob", "ot:x")
	if st.GetContents() != "abcdef" || st.GetVersion() != 2 {
		t.Fatalf("after refused ops: %v", st)
	}
}

func TestReadOnlySessionsWatchButCannotEdit(t *testing.T) {
	url, _ := serve(t, map[string]string{"f": "x"}, otsvc.Limits{})
	ada, _ := open(t, url, "ada", "ot:f")
	viewer, _ := open(t, url, "ro:viewer", "ot:f")
	for _, cmd := range []*api.Command{opCmd(0, ins("x")), linkCmd("f"), flushCmd()} {
		refused(t, viewer, cmd, servicetest.ReadOnlyRefusal(cmd, "ot"))
	}
	commit(t, ada, 0, ins("seen"))
	if p := packet(t, viewer); p.GetCrc32() != crc("seen") {
		t.Fatalf("viewer: %v", p)
	}
	if r := servicetest.Request(t, viewer, fetchCmd(1, 1)); len(r.GetOtFetchResponse().GetPackets()) != 1 {
		t.Fatalf("viewer fetch: %v", r)
	}
}
