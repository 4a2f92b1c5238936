//go:build linux

package sandbox

import (
	"bytes"
	"errors"
	"path"
	"strings"
	"testing"

	"github.com/pid1/pid1/sandbox/nsinit"
)

// FuzzRequest feeds run requests built from arbitrary strings through the
// checks: each is refused with ErrBadSpec or becomes a helper request whose
// paths all stay where they belong and which survives the wire.
func FuzzRequest(f *testing.F) {
	f.Add("python3", "A=b", "code.py", "out.svg", "/srv", "/work/ws", "", int64(0))
	f.Add("", "", "", "", "", "", "", int64(0))
	f.Add("sh\x00", "=x", "../etc/passwd", "/abs", "rel", "/", "work", int64(-1))
	f.Add("a", "PATH=/x", "a/./b", "a//b", "/x", "/x/../y", "/tmp", int64(1<<40))
	s := &Sandbox{cfg: Config{Hostname: "sandbox", Limits: DefaultLimits}, root: "/tmp/pid1-sandbox-root"}
	f.Fuzz(func(t *testing.T, argv0, env, file, collect, bindSrc, bindDst, dir string, mem int64) {
		spec := Spec{
			Argv:    []string{argv0, "arg"},
			Env:     []string{env},
			Dir:     dir,
			Files:   []File{{Path: file, Data: []byte("x")}},
			Collect: []string{collect},
			Binds:   []Bind{{Source: bindSrc, Target: bindDst}},
			Limits:  Limits{Memory: mem},
		}
		if err := checkLimits(spec.Limits); err != nil {
			if !errors.Is(err, ErrBadSpec) {
				t.Fatalf("limits: %v", err)
			}
			return
		}
		req, err := s.request(&spec, merge(spec.Limits, s.cfg.Limits))
		if err != nil {
			if !errors.Is(err, ErrBadSpec) {
				t.Fatalf("not ErrBadSpec: %v", err)
			}
			return
		}
		for _, p := range append([]string{req.Files[0].Path}, req.Collect...) {
			if strings.HasPrefix(p, "/") || strings.Contains("/"+p+"/", "/../") || path.Clean(p) != p {
				t.Fatalf("path %q accepted", p)
			}
		}
		if b := req.Binds[0]; !strings.HasPrefix(b.Target, "/") || b.Target == "/" || path.Clean(b.Target) != b.Target {
			t.Fatalf("bind target %q accepted", b.Target)
		}
		for _, v := range append(append(req.Argv, req.Env...), req.Dir) {
			if strings.IndexByte(v, 0) >= 0 {
				t.Fatalf("NUL accepted in %q", v)
			}
		}
		back, err := nsinit.UnmarshalRequest(req.Marshal())
		if err != nil || !bytes.Equal(back.Marshal(), req.Marshal()) {
			t.Fatalf("wire round trip: %v", err)
		}
	})
}
