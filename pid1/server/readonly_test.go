package server_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/conman/services"
	"github.com/pid1/pid1/internal/auth"
	"github.com/pid1/pid1/pid1/server"
)

// TestReadOnlyChangesNothing drives every kind of command to every service
// pid1 offers from a read-only session, and checks that nothing changed:
// the workspace, the snapshots, the processes, and the life of the
// channels a writer shares. It is derived from the registry and from the
// Command oneof, so a new service or command is covered without editing
// it; the commands a service declares as writes must each be refused
// with the hub's read-only error.
func TestReadOnlyChangesNothing(t *testing.T) {
	base := t.TempDir()
	t.Setenv("HOME", t.TempDir()) // bash without the machine's start-up files
	ws := filepath.Join(base, "ws")
	os.MkdirAll(ws, 0o755)
	os.WriteFile(filepath.Join(ws, "main.py"), []byte("print('hi')\n"), 0o644)
	// Every probe names "ro-probe": as a file it must keep its content, and
	// as a program (the workspace is on PATH) it leaves a mark if run.
	os.WriteFile(filepath.Join(ws, "ro-probe"), []byte("#!/bin/sh\ntouch \"$(dirname \"$0\")/ran\"\n"), 0o755)
	t.Setenv("PATH", ws+string(os.PathListSeparator)+os.Getenv("PATH"))
	srv, _ := start(t, server.Options{Workspace: ws, StateDir: filepath.Join(base, "state"),
		Storage: "file://" + filepath.Join(base, "bucket"), AudioDir: filepath.Join(base, "tmp")})
	reg := srv.Services()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	writer := connect(t, ctx, srv, "writer", true)
	viewer := connect(t, ctx, srv, "viewer", false)

	// The writer opens every service's shared channel, so that the
	// viewer can attach to those that start a process.
	names := reg.Names()
	writers := map[string]*client.Channel{}
	for _, name := range names {
		ch, err := writer.Open(ctx, name, "ro:"+name, api.OpenChannel_ATTACH_OR_CREATE)
		if err != nil {
			t.Fatalf("the writer opening %s: %v", name, err)
		}
		writers[name] = ch
	}
	// The writer is typing a password into the shared shell (`read -s`
	// turns echo off), which a saneTerm would turn back on for all to see.
	shell := writers["shell"]
	if err := shell.Send(ctx, &api.Command{Body: &api.Command_Input{Input: "read -s -p SECRET: pw; echo; echo READ-DONE\r"}}); err != nil {
		t.Fatal(err)
	}
	until(t, ctx, shell, "SECRET:")
	procsBefore := settled(t) // shells and REPLs have started
	treeBefore := tree(t, ws)
	bucketBefore := tree(t, filepath.Join(base, "bucket"))

	for _, name := range names {
		desc, _ := reg.Lookup(name)
		if desc.Starts {
			if _, err := viewer.Open(ctx, name, "", api.OpenChannel_CREATE); err == nil || !strings.Contains(err.Error(), "read-only") {
				t.Errorf("a read-only session created a %s channel (it starts a process): %v", name, err)
			}
		}
		ch, err := viewer.Open(ctx, name, "ro:"+name, api.OpenChannel_ATTACH)
		if err != nil {
			t.Fatalf("the viewer attaching to %s: %v", name, err)
		}
		for _, cmd := range probes() {
			body := services.BodyName(cmd)
			if !desc.Writes.Has(cmd) {
				// Not every command is answered (chatMessage is
				// broadcast): the barrier below waits for all of them.
				if err := ch.Send(ctx, cmd); err != nil {
					t.Fatalf("%s on %s: %v", body, name, err)
				}
				continue
			}
			r, err := ch.Request(ctx, cmd)
			if err != nil {
				t.Fatalf("%s on %s: %v", body, name, err)
			}
			if r.GetError() != services.ReadOnly(body+" on "+name).Error() {
				t.Errorf("%s on %s from a read-only session: %v, want the read-only refusal", body, name, r)
			}
		}
		// A channel handles its commands in order: once a command no
		// service takes is answered, every probe before it was handled.
		if _, err := ch.Request(ctx, &api.Command{Body: &api.Command_Hello{Hello: &api.Hello{}}}); err != nil {
			t.Fatalf("the barrier on %s: %v", name, err)
		}
		for _, action := range []api.CloseChannel_Action{api.CloseChannel_CLOSE, api.CloseChannel_TRY_CLOSE} {
			st, err := ch.Close(ctx, action)
			if err != nil || st != api.CloseChannelRes_DISCONNECT {
				t.Errorf("a read-only %v of %s: %v %v, want it only to disconnect", action, name, st, err)
			}
			if ch, err = viewer.Open(ctx, name, "ro:"+name, api.OpenChannel_ATTACH); err != nil {
				t.Fatalf("the viewer attaching to %s again: %v", name, err)
			}
		}
	}

	procsAfter := settledAs(t, procsBefore)
	for _, name := range names {
		// The writer's channel lives: a command still gets its answer.
		if _, err := writers[name].Request(ctx, &api.Command{Body: &api.Command_Hello{Hello: &api.Hello{}}}); err != nil {
			t.Errorf("the writer's %s channel after the viewer: %v", name, err)
		}
	}
	if after := tree(t, ws); !slices.Equal(after, treeBefore) {
		t.Errorf("the workspace changed:\nbefore %v\nafter  %v", treeBefore, after)
	}
	if after := tree(t, filepath.Join(base, "bucket")); !slices.Equal(after, bucketBefore) {
		t.Errorf("the storage changed:\nbefore %v\nafter  %v", bucketBefore, after)
	}
	if err := shell.Send(ctx, &api.Command{Body: &api.Command_Input{Input: "hunter2-secret\r"}}); err != nil {
		t.Fatal(err)
	}
	if out := until(t, ctx, shell, "READ-DONE\r\n"); strings.Contains(out, "hunter2") {
		t.Errorf("the password typed under read -s was echoed after the viewer's commands: %q", out)
	}
	if !slices.Equal(procsAfter, procsBefore) {
		t.Errorf("processes changed:\nbefore %v\nafter  %v", procsBefore, procsAfter)
	}
}

// until reads ch's output until it contains want, and returns it.
func until(t *testing.T, ctx context.Context, ch *client.Channel, want string) string {
	t.Helper()
	var seen strings.Builder
	for {
		select {
		case cmd, ok := <-ch.Stream():
			if !ok {
				t.Fatal("the stream ended")
			}
			seen.WriteString(cmd.GetOutput())
			if strings.Contains(seen.String(), want) {
				return seen.String()
			}
		case <-ctx.Done():
			t.Fatalf("no %q; the channel printed %q", want, seen.String())
		}
	}
}

// connect opens an in-process session on srv.
func connect(t *testing.T, ctx context.Context, srv *server.Server, name string, canWrite bool) *client.Client {
	t.Helper()
	conn, err := srv.Connect(services.User{ID: auth.UserIDFor(name), Name: name, CanWrite: canWrite})
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// probes is one command of every kind the Command oneof holds (but the
// channel-0 ones), each with its fields filled with plausible values.
func probes() []*api.Command {
	var out []*api.Command
	fields := (&api.Command{}).ProtoReflect().Descriptor().Oneofs().ByName("body").Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		switch fd.Name() {
		case "openChan", "closeChan":
			continue
		}
		cmd := &api.Command{}
		m := cmd.ProtoReflect()
		if fd.Kind() == protoreflect.MessageKind {
			v := m.NewField(fd)
			fill(v.Message(), 0)
			m.Set(fd, v)
		} else {
			m.Set(fd, scalar(fd))
		}
		out = append(out, cmd)
	}
	return out
}

// fill sets every field of msg, to a depth of three messages.
func fill(msg protoreflect.Message, depth int) {
	fields := msg.Descriptor().Fields()
	for i := range fields.Len() {
		f := fields.Get(i)
		if o := f.ContainingOneof(); o != nil && o.Fields().Get(0) != f {
			continue // one member of a oneof is enough
		}
		switch {
		case f.IsMap():
			if f.MapKey().Kind() == protoreflect.StringKind && f.MapValue().Kind() == protoreflect.StringKind {
				msg.Mutable(f).Map().Set(protoreflect.ValueOfString("RO_PROBE").MapKey(), protoreflect.ValueOfString("1"))
			}
		case f.Kind() == protoreflect.MessageKind || f.Kind() == protoreflect.GroupKind:
			if depth >= 3 {
				continue
			}
			if f.IsList() {
				l := msg.Mutable(f).List()
				e := l.NewElement()
				fill(e.Message(), depth+1)
				l.Append(e)
				continue
			}
			v := msg.NewField(f)
			fill(v.Message(), depth+1)
			msg.Set(f, v)
		case f.IsList():
			msg.Mutable(f).List().Append(scalar(f))
		default:
			msg.Set(f, scalar(f))
		}
	}
}

// scalar is a plausible value of f's kind: a path-like string that names
// a file the workspace holds, small numbers, true, an enum's second value.
func scalar(f protoreflect.FieldDescriptor) protoreflect.Value {
	switch f.Kind() {
	case protoreflect.StringKind:
		return protoreflect.ValueOfString("ro-probe")
	case protoreflect.BytesKind:
		return protoreflect.ValueOfBytes([]byte("changed by a read-only session"))
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(true)
	case protoreflect.EnumKind:
		vals := f.Enum().Values()
		return protoreflect.ValueOfEnum(vals.Get(min(1, vals.Len()-1)).Number())
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return protoreflect.ValueOfInt32(1)
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64(1)
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32(1)
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(1)
	case protoreflect.FloatKind:
		return protoreflect.ValueOfFloat32(1)
	case protoreflect.DoubleKind:
		return protoreflect.ValueOfFloat64(1)
	}
	return f.Default()
}

// tree lists every path under dir with its kind, mode and a hash of its
// content (or link target).
func tree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		sum := ""
		switch {
		case info.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum = fmt.Sprintf("%x", sha256.Sum256(b))[:12]
		case info.Mode()&fs.ModeSymlink != 0:
			sum, _ = os.Readlink(p)
		}
		out = append(out, fmt.Sprintf("%s %v %s", rel, info.Mode(), sum))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// settled is descendants once they have not changed for a second (a
// program starting through a shim goes through short-lived helpers).
func settled(t *testing.T) []string {
	t.Helper()
	last, since := descendants(t), time.Now()
	for deadline := time.Now().Add(30 * time.Second); time.Since(since) < time.Second; time.Sleep(50 * time.Millisecond) {
		if now := descendants(t); !slices.Equal(now, last) {
			last, since = now, time.Now()
		}
		if time.Now().After(deadline) {
			t.Fatalf("processes keep changing: %v", last)
		}
	}
	return last
}

// settledAs is settled, given up to 30 seconds to come back to want: the
// tools a read-only query runs (packager3's search runs pip config list)
// end on their own, later on a busy machine than settled's quiet second.
func settledAs(t *testing.T, want []string) []string {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if slices.Equal(descendants(t), want) {
			break
		}
	}
	return settled(t)
}

// descendants lists this test process's descendant processes by pid and
// command line.
func descendants(t *testing.T) []string {
	t.Helper()
	children := map[int][]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		var pid, ppid int
		if _, err := fmt.Sscan(e.Name(), &pid); err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		s := string(stat)
		if i := strings.LastIndexByte(s, ')'); i >= 0 {
			f := strings.Fields(s[i+1:])
			if len(f) > 1 {
				fmt.Sscan(f[1], &ppid)
			}
		}
		children[ppid] = append(children[ppid], pid)
	}
	var out []string
	var walk func(int)
	walk = func(pid int) {
		for _, c := range children[pid] {
			cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", c))
			out = append(out, fmt.Sprintf("%d %s", c, strings.ReplaceAll(string(cmdline), "\x00", " ")))
			walk(c)
		}
	}
	walk(os.Getpid())
	slices.Sort(out)
	return out
}
