//go:build linux

package sandbox

import (
	"fmt"
	"math"
	"path"
	"path/filepath"
	"strings"

	"github.com/pid1/pid1/sandbox/nsinit"
	"golang.org/x/sys/unix"
)

// request checks a Spec and turns it into what the helper gets.
func (s *Sandbox) request(spec *Spec, l Limits) (*nsinit.Request, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrBadSpec}, args...)...)
	}
	if len(spec.Argv) == 0 || spec.Argv[0] == "" {
		return nil, bad("empty Argv")
	}
	for _, group := range [][]string{spec.Argv, spec.Env, spec.Collect, {spec.Dir}} {
		for _, v := range group {
			if strings.IndexByte(v, 0) >= 0 {
				return nil, bad("%q contains a NUL byte", v)
			}
		}
	}
	env := append([]string{}, spec.Env...)
	has := map[string]bool{}
	for _, kv := range env {
		k, _, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, bad("environment entry %q is not KEY=value", kv)
		}
		has[k] = true
	}
	for _, d := range [][2]string{{"PATH", DefaultPath}, {"HOME", WorkDir}, {"TMPDIR", "/tmp"}} {
		if !has[d[0]] {
			env = append(env, d[0]+"="+d[1])
		}
	}
	dir := spec.Dir
	if dir == "" {
		dir = WorkDir
	}
	if !path.IsAbs(dir) {
		return nil, bad("Dir %q is not absolute", dir)
	}
	var total int64
	seen := map[string]bool{}
	files := make([]nsinit.File, 0, len(spec.Files))
	for _, f := range spec.Files {
		if !local(f.Path) {
			return nil, bad("file path %q is not a plain path inside the work directory", f.Path)
		}
		if seen[f.Path] {
			return nil, bad("file %q given twice", f.Path)
		}
		seen[f.Path] = true
		if f.Mode&^0o7777 != 0 {
			return nil, bad("file %q has mode %o, beyond permission bits", f.Path, f.Mode)
		}
		total += int64(len(f.Data))
		files = append(files, nsinit.File{Path: f.Path, Mode: f.Mode, Data: f.Data})
	}
	if total > l.Tmpfs {
		return nil, bad("files total %d bytes, more than the tmpfs limit %d", total, l.Tmpfs)
	}
	binds := make([]nsinit.Bind, 0, len(spec.Binds))
	for _, b := range spec.Binds {
		if strings.IndexByte(b.Source+b.Target, 0) >= 0 {
			return nil, bad("bind %q contains a NUL byte", b.Source+" "+b.Target)
		}
		if !path.IsAbs(b.Source) || !path.IsAbs(b.Target) || path.Clean(b.Target) != b.Target || b.Target == "/" ||
			b.Overlay && strings.ContainsAny(b.Source, ",:\\") {
			return nil, bad("bind %s -> %s: both must be absolute, the target clean and not /, an overlay's source without , : or \\", b.Source, b.Target)
		}
		binds = append(binds, nsinit.Bind{Source: b.Source, Target: b.Target, Writable: b.Writable, Overlay: b.Overlay})
	}
	for _, c := range spec.Collect {
		if !local(c) {
			return nil, bad("collect path %q is not a plain path inside the work directory", c)
		}
	}
	generated := make([]nsinit.File, 0, 4)
	for _, f := range etcFiles(s.cfg.Hostname) {
		generated = append(generated, nsinit.File{Path: f.name, Mode: 0o644, Data: []byte(f.data)})
	}
	return &nsinit.Request{
		Root:         s.root,
		Hostname:     s.cfg.Hostname,
		Tmpfs:        l.Tmpfs,
		System:       systemDirs,
		Etc:          s.etc,
		EtcFiles:     generated,
		Binds:        binds,
		Files:        files,
		Argv:         spec.Argv,
		Env:          env,
		Dir:          dir,
		Rlimits:      s.rlimits(l),
		Seccomp:      s.filter,
		ChildRlimits: s.childRlimits(l),
		Collect:      spec.Collect,
		CollectMax:   l.Output,
	}, nil
}

// local reports whether p is a clean relative path that stays inside its
// directory.
func local(p string) bool {
	return p != "" && filepath.IsLocal(p) && filepath.Clean(p) == p
}

// rlimits are set in the helper before the program starts.
func (s *Sandbox) rlimits(l Limits) []nsinit.Rlimit {
	secs := uint64(math.Ceil(l.CPU.Seconds()))
	rl := []nsinit.Rlimit{
		{Resource: unix.RLIMIT_CPU, Cur: secs, Max: secs + 1},
		{Resource: unix.RLIMIT_FSIZE, Cur: uint64(l.FileSize), Max: uint64(l.FileSize)},
		{Resource: unix.RLIMIT_NOFILE, Cur: uint64(l.OpenFiles), Max: uint64(l.OpenFiles)},
		{Resource: unix.RLIMIT_CORE, Cur: 0, Max: 0},
	}
	if s.cg == nil && s.ownUID {
		// Without a pids cgroup: the uid is this run's alone, so the
		// count is the run's processes (plus the helper's threads).
		n := uint64(l.Pids + helperThreads)
		rl = append(rl, nsinit.Rlimit{Resource: unix.RLIMIT_NPROC, Cur: n, Max: n})
	}
	return rl
}

// childRlimits are applied to the program only: in rlimits mode memory is
// RLIMIT_DATA, which the helper's own runtime would not survive.
func (s *Sandbox) childRlimits(l Limits) []nsinit.Rlimit {
	if s.cg != nil {
		return nil
	}
	return []nsinit.Rlimit{{Resource: unix.RLIMIT_DATA, Cur: uint64(l.Memory), Max: uint64(l.Memory)}}
}
