package nsinit

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// EnvMarker, when present in the environment, makes init run the helper.
const EnvMarker = "_PID1_SANDBOX_HELPER"

// Version changes whenever Request or Report do; a helper from another
// build refuses a request it would misread.
const Version = 4

// maxMessage bounds a message in either direction (files included).
const maxMessage = 1 << 30

// Request is everything the helper needs to build and start one run.
type Request struct {
	// Root is the host directory the run's root tmpfs is mounted on.
	Root     string
	Hostname string
	// Tmpfs is the size of the tmpfs holding /work, /tmp and /dev/shm.
	Tmpfs int64
	// System are host directories (or symlinks) exposed read-only at the
	// same path: /usr, /bin, /lib, ...
	System []string
	// Etc are paths relative to /etc exposed read-only; EtcFiles are
	// written into the run's /etc instead (passwd, group, hosts).
	Etc      []string
	EtcFiles []File
	// EtcDir, when set, is a host directory prepared as the run's whole
	// /etc (read-only), in one mount; Etc and EtcFiles are then unused.
	EtcDir string
	Binds  []Bind
	// Files are written into /work before the start.
	Files []File
	Argv  []string
	Env   []string
	Dir   string
	// Rlimits are set before the program starts.
	Rlimits []Rlimit
	// Seccomp is the raw filter (struct sock_filter array) loaded on the
	// program's thread; empty loads none.
	Seccomp []byte
	// ChildRlimits are applied to the program with prlimit right after it
	// started: limits the helper itself cannot live under (RLIMIT_DATA
	// for a Go runtime), at the price of a window of microseconds.
	ChildRlimits []Rlimit
	// TasksFD says that fd 4 is a cgroup v1 "tasks" file: the program's
	// thread moves itself there before the fork, so the program starts in
	// that cgroup and the helper stays out of its pids budget.
	TasksFD bool
	// Collect are /work-relative paths read back after the run, each at
	// most CollectMax bytes.
	Collect    []string
	CollectMax int64
	// UserNS asks the helper to make the program's user namespace, root
	// inside being NSUID/NSGID outside: pid1 then starts the helper
	// without one (as real root in the other new namespaces), which spares
	// pid1 a full fork of its memory. Only a Native helper can.
	UserNS       bool
	NSUID, NSGID uint32
	// JoinNet says that fd 6 is a network namespace, its loopback up, for
	// the run instead of a new one: pid1 then starts the helper without
	// one. It is an earlier run's whose Report said NetUntouched. Only a
	// Native helper can.
	JoinNet bool
}

// File is a file to write or one read back.
type File struct {
	Path string
	Mode uint32
	Data []byte
}

// Bind is a host path mounted at Target.
type Bind struct {
	Source, Target    string
	Writable, Overlay bool
}

// Rlimit is one setrlimit call.
type Rlimit struct {
	Resource int
	Cur, Max uint64
}

// Report is how the run ended, from inside.
type Report struct {
	// Err is set when the run could not be set up or the program could
	// not start; nothing ran then.
	Err string
	// WaitStatus is the program's raw wait status.
	WaitStatus uint32
	// Real is the time from the program's start to its exit, in ns.
	Real int64
	// Usage of every process of the run but the helper (RUSAGE_CHILDREN
	// of the pid namespace's init once all are reaped).
	UserNs, SysNs, MaxRSSKiB, MinFlt, MajFlt, Inblock, Oublock, Nvcsw, Nivcsw int64
	Files                                                                     []File
	// Native is set by the C helper (cmd/pid1-sandbox-helper), which
	// honours Request.UserNS and Request.JoinNet.
	Native bool
	// NetUntouched says that the run's network namespace is as it was
	// made: its loopback carried no packet (so no socket of the run is
	// left in it, in TIME_WAIT or otherwise, and it holds nothing an
	// earlier run could read), read once every process of the run is
	// gone. Another run may then use it (Request.JoinNet).
	NetUntouched bool
}

// enc appends length-prefixed fields to a buffer.
type enc struct{ b []byte }

func (e *enc) u64(v uint64) { e.b = binary.LittleEndian.AppendUint64(e.b, v) }
func (e *enc) i64(v int64)  { e.u64(uint64(v)) }
func (e *enc) bytes(p []byte) {
	e.u64(uint64(len(p)))
	e.b = append(e.b, p...)
}
func (e *enc) str(s string) { e.bytes([]byte(s)) }
func (e *enc) strs(ss []string) {
	e.u64(uint64(len(ss)))
	for _, s := range ss {
		e.str(s)
	}
}
func (e *enc) bool(v bool) {
	if v {
		e.u64(1)
	} else {
		e.u64(0)
	}
}
func (e *enc) rlimits(ls []Rlimit) {
	e.u64(uint64(len(ls)))
	for _, l := range ls {
		e.u64(uint64(l.Resource))
		e.u64(l.Cur)
		e.u64(l.Max)
	}
}
func (e *enc) files(fs []File) {
	e.u64(uint64(len(fs)))
	for _, f := range fs {
		e.str(f.Path)
		e.u64(uint64(f.Mode))
		e.bytes(f.Data)
	}
}

// dec reads what enc wrote; the first error sticks.
type dec struct {
	b   []byte
	err error
}

var errShort = errors.New("nsinit: message truncated")

func (d *dec) u64() uint64 {
	if d.err != nil || len(d.b) < 8 {
		d.err = errShort
		return 0
	}
	v := binary.LittleEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}
func (d *dec) i64() int64 { return int64(d.u64()) }

// bool reads 0 or 1.
func (d *dec) bool() bool {
	v := d.u64()
	if v > 1 && d.err == nil {
		d.err = errors.New("nsinit: bad boolean")
	}
	return v == 1
}

// u32 reads a u64 that must fit 32 bits.
func (d *dec) u32() uint32 {
	v := d.u64()
	if v > 0xffffffff && d.err == nil {
		d.err = errors.New("nsinit: value out of range")
	}
	return uint32(v)
}

// count reads a length and checks that at least n*min bytes follow, so a
// corrupt length cannot make us allocate much.
func (d *dec) count(min uint64) int {
	n := d.u64()
	if d.err == nil && (n > uint64(len(d.b)) || min > 0 && n*min > uint64(len(d.b))) {
		d.err = errShort
	}
	if d.err != nil {
		return 0
	}
	return int(n)
}
func (d *dec) bytes() []byte {
	n := d.count(1)
	if d.err != nil {
		return nil
	}
	p := d.b[:n:n]
	d.b = d.b[n:]
	return p
}
func (d *dec) str() string { return string(d.bytes()) }
func (d *dec) strs() []string {
	n := d.count(8)
	ss := make([]string, 0, n)
	for range n {
		ss = append(ss, d.str())
	}
	return ss
}
func (d *dec) files() []File {
	n := d.count(24)
	fs := make([]File, 0, n)
	for range n {
		fs = append(fs, File{Path: d.str(), Mode: d.u32(), Data: d.bytes()})
	}
	return fs
}
func (d *dec) rlimits() []Rlimit {
	var ls []Rlimit
	for range d.count(24) {
		ls = append(ls, Rlimit{Resource: int(d.u64()), Cur: d.u64(), Max: d.u64()})
	}
	return ls
}
func (d *dec) done() error {
	if d.err == nil && len(d.b) != 0 {
		d.err = errors.New("nsinit: trailing bytes in message")
	}
	return d.err
}

// Marshal encodes the request.
func (r *Request) Marshal() []byte {
	var e enc
	e.u64(Version)
	e.str(r.Root)
	e.str(r.Hostname)
	e.i64(r.Tmpfs)
	e.strs(r.System)
	e.strs(r.Etc)
	e.files(r.EtcFiles)
	e.str(r.EtcDir)
	e.u64(uint64(len(r.Binds)))
	for _, b := range r.Binds {
		e.str(b.Source)
		e.str(b.Target)
		e.bool(b.Writable)
		e.bool(b.Overlay)
	}
	e.files(r.Files)
	e.strs(r.Argv)
	e.strs(r.Env)
	e.str(r.Dir)
	e.rlimits(r.Rlimits)
	e.bytes(r.Seccomp)
	e.rlimits(r.ChildRlimits)
	e.bool(r.TasksFD)
	e.strs(r.Collect)
	e.i64(r.CollectMax)
	e.bool(r.UserNS)
	e.u64(uint64(r.NSUID))
	e.u64(uint64(r.NSGID))
	e.bool(r.JoinNet)
	return e.b
}

// UnmarshalRequest decodes a request.
func UnmarshalRequest(b []byte) (*Request, error) {
	d := dec{b: b}
	if v := d.u64(); d.err == nil && v != Version {
		return nil, fmt.Errorf("nsinit: request of protocol version %d; this helper speaks %d (helper and pid1 from different builds?)", v, Version)
	}
	r := &Request{Root: d.str(), Hostname: d.str(), Tmpfs: d.i64(),
		System: d.strs(), Etc: d.strs(), EtcFiles: d.files(), EtcDir: d.str()}
	n := d.count(32)
	for range n {
		r.Binds = append(r.Binds, Bind{Source: d.str(), Target: d.str(), Writable: d.bool(), Overlay: d.bool()})
	}
	r.Files = d.files()
	r.Argv = d.strs()
	r.Env = d.strs()
	r.Dir = d.str()
	r.Rlimits = d.rlimits()
	r.Seccomp = d.bytes()
	r.ChildRlimits = d.rlimits()
	r.TasksFD = d.bool()
	r.Collect = d.strs()
	r.CollectMax = d.i64()
	r.UserNS = d.bool()
	r.NSUID = d.u32()
	r.NSGID = d.u32()
	r.JoinNet = d.bool()
	return r, d.done()
}

// Marshal encodes the report.
func (r *Report) Marshal() []byte {
	var e enc
	e.str(r.Err)
	e.u64(uint64(r.WaitStatus))
	for _, v := range []int64{r.Real, r.UserNs, r.SysNs, r.MaxRSSKiB, r.MinFlt, r.MajFlt, r.Inblock, r.Oublock, r.Nvcsw, r.Nivcsw} {
		e.i64(v)
	}
	e.files(r.Files)
	e.bool(r.Native)
	e.bool(r.NetUntouched)
	return e.b
}

// UnmarshalReport decodes a report.
func UnmarshalReport(b []byte) (*Report, error) {
	d := dec{b: b}
	r := &Report{Err: d.str(), WaitStatus: d.u32()}
	for _, p := range []*int64{&r.Real, &r.UserNs, &r.SysNs, &r.MaxRSSKiB, &r.MinFlt, &r.MajFlt, &r.Inblock, &r.Oublock, &r.Nvcsw, &r.Nivcsw} {
		*p = d.i64()
	}
	r.Files = d.files()
	r.Native = d.bool()
	r.NetUntouched = d.bool()
	return r, d.done()
}

// The helper sends the sandbox an empty message when the program has
// started (its exec succeeded), then the Report. A Report is never empty.

// WriteStarted tells the sandbox that the program has started.
func WriteStarted(w io.Writer) error { return WriteMessage(w, nil) }

// IsStarted reports whether msg is WriteStarted's message.
func IsStarted(msg []byte) bool { return len(msg) == 0 }

// WriteMessage writes one length-prefixed message.
func WriteMessage(w io.Writer, msg []byte) error {
	var hdr [8]byte
	binary.LittleEndian.PutUint64(hdr[:], uint64(len(msg)))
	if _, err := w.Write(append(hdr[:], msg...)); err != nil {
		return err
	}
	return nil
}

// ReadMessage reads one length-prefixed message of at most maxMessage
// bytes.
func ReadMessage(r io.Reader) ([]byte, error) {
	var hdr [8]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := binary.LittleEndian.Uint64(hdr[:])
	if n > maxMessage {
		return nil, fmt.Errorf("nsinit: message of %d bytes is too large", n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, fmt.Errorf("nsinit: message truncated: %w", io.ErrUnexpectedEOF)
	}
	return b, nil
}
