package ot_test

import (
	"hash/crc32"
	"testing"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/internal/fsroot"
	"github.com/pid1/pid1/internal/fswatch"
	"github.com/pid1/pid1/internal/otlog"
	"github.com/pid1/pid1/internal/textot"
	otsvc "github.com/pid1/pid1/services/ot"
	"github.com/pid1/pid1/test/kit/servicetest"
)

// serve starts the ot service on a workspace holding files, with a watcher
// and an op log, as pid1 runs it.
func serve(t *testing.T, files map[string]string, lim otsvc.Limits) (url func(string) string, ws *fsroot.Dir) {
	t.Helper()
	url, ws, _ = serveLogged(t, files, lim)
	return url, ws
}

// serveLogged is serve that also returns the op logs' store.
func serveLogged(t *testing.T, files map[string]string, lim otsvc.Limits) (url func(string) string, ws *fsroot.Dir, logs *otlog.Store) {
	t.Helper()
	ws = servicetest.Workspace(t, files)
	w := fswatch.NewWatcher(ws, nil)
	t.Cleanup(func() { w.Close() })
	logs, err := otlog.Open(t.TempDir(), ws, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logs.Close() })
	return servicetest.Serve(t, otsvc.Descriptor(otsvc.Config{Dir: ws, Watcher: w, Log: logs, Limits: lim})), ws, logs
}

// open attaches user to the channel named name and returns its otstatus.
func open(t *testing.T, url func(string) string, user, name string) (*client.Channel, *api.OTStatus) {
	t.Helper()
	ch := servicetest.Open(t, url(user), "ot", name)
	st := servicetest.Next(t, ch).GetOtstatus()
	if st == nil {
		t.Fatal("no otstatus on attach")
	}
	return ch, st
}

func ins(s string) *api.OTOpComponent {
	return &api.OTOpComponent{OpComponent: &api.OTOpComponent_Insert{Insert: s}}
}
func skip(n uint32) *api.OTOpComponent {
	return &api.OTOpComponent{OpComponent: &api.OTOpComponent_Skip{Skip: n}}
}
func del(n uint32) *api.OTOpComponent {
	return &api.OTOpComponent{OpComponent: &api.OTOpComponent_Delete{Delete: n}}
}

func opCmd(base uint32, comps ...*api.OTOpComponent) *api.Command {
	return &api.Command{Body: &api.Command_Ot{Ot: &api.OTPacket{SpookyVersion: base, Op: comps}}}
}

func linkCmd(p string) *api.Command {
	return &api.Command{Body: &api.Command_OtLinkFile{OtLinkFile: &api.OTLinkFile{File: &api.File{Path: p}}}}
}

func flushCmd() *api.Command { return &api.Command{Body: &api.Command_Flush{Flush: &api.Flush{}}} }

func fetchCmd(from, to uint32) *api.Command {
	return &api.Command{Body: &api.Command_OtFetchRequest{OtFetchRequest: &api.OTFetchRequest{VersionFrom: from, VersionTo: to}}}
}

// packet reads the next command, which must be an ot packet.
func packet(t *testing.T, ch *client.Channel) *api.OTPacket {
	t.Helper()
	c := servicetest.Next(t, ch)
	if c.GetOt() == nil {
		t.Fatalf("want an ot packet, got %v", c)
	}
	return c.GetOt()
}

// opString renders a packet's op as the core prints it.
func opString(t *testing.T, p *api.OTPacket) string {
	t.Helper()
	op, err := textot.FromProto(p.GetOp())
	if err != nil {
		t.Fatal(err)
	}
	return op.String()
}

func crc(s string) uint32 { return crc32.ChecksumIEEE([]byte(s)) }

// exchange sends cmd and returns what arrived before its reply, and the
// reply, which must not be an error.
func exchange(t *testing.T, ch *client.Channel, cmd *api.Command) (before []*api.Command, reply *api.Command) {
	t.Helper()
	before, r := servicetest.Exchange(t, ch, cmd)
	if r.GetError() != "" {
		t.Fatalf("%v: %s", cmd, r.GetError())
	}
	return before, r
}

// commit sends an op and returns the packet the sender got before its ok.
func commit(t *testing.T, ch *client.Channel, base uint32, comps ...*api.OTOpComponent) *api.OTPacket {
	t.Helper()
	before, r := exchange(t, ch, opCmd(base, comps...))
	if r.GetOk() == nil || len(before) == 0 || before[len(before)-1].GetOt() == nil {
		t.Fatalf("op at %d: got %v then %v", base, before, r)
	}
	return before[len(before)-1].GetOt()
}

// refused sends cmd and checks the error it gets.
func refused(t *testing.T, ch *client.Channel, cmd *api.Command, want string) {
	t.Helper()
	if r := servicetest.Request(t, ch, cmd); r.GetError() != want {
		t.Fatalf("%v:\n got %v\nwant error %q", cmd, r, want)
	}
}
