package nsinit

import (
	"bytes"
	"reflect"
	"testing"
)

func sampleRequest() *Request {
	return &Request{
		Root: "/tmp/pid1-sandbox-root", Hostname: "sandbox", Tmpfs: 1 << 20,
		System: []string{"/usr", "/bin"}, Etc: []string{"ld.so.cache", "ssl/certs"},
		EtcFiles: []File{{Path: "passwd", Mode: 0o644, Data: []byte("root:x:0:0::/work:/bin/sh\n")}}, EtcDir: "/var/tmp/etc-1",
		Binds: []Bind{{Source: "/srv", Target: "/work/ws", Writable: true}, {Source: "/a", Target: "/b"}},
		Files: []File{{Path: "code.py", Mode: 0o600, Data: []byte("print(1)")}, {Path: "empty"}},
		Argv:  []string{"python3", "code.py", ""}, Env: []string{"A=b"}, Dir: "/work",
		Rlimits: []Rlimit{{Resource: 1, Cur: 2, Max: 3}}, Seccomp: []byte{1, 2, 3, 4, 5, 6, 7, 8},
		ChildRlimits: []Rlimit{{Resource: 9, Cur: 1 << 40, Max: ^uint64(0)}}, TasksFD: true,
		Collect: []string{"out.svg"}, CollectMax: 128 << 10,
		UserNS: true, NSUID: 100001, NSGID: 100002, JoinNet: true,
	}
}

func TestRequestRoundTrip(t *testing.T) {
	want := sampleRequest()
	got, err := UnmarshalRequest(want.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	// Empty data decodes as an empty (non-nil) slice; compare encodings.
	if !bytes.Equal(got.Marshal(), want.Marshal()) || got.Argv[2] != "" || !got.TasksFD || got.Binds[0] != want.Binds[0] ||
		!got.UserNS || got.NSGID != 100002 || !got.JoinNet {
		t.Errorf("round trip changed the request:\n%+v\n%+v", got, want)
	}
	// Every prefix is an error, never a panic or a partial success.
	b := want.Marshal()
	for i := range len(b) {
		if _, err := UnmarshalRequest(b[:i]); err == nil {
			t.Fatalf("prefix of %d bytes accepted", i)
		}
	}
	if _, err := UnmarshalRequest(append(b, 0)); err == nil {
		t.Error("trailing byte accepted")
	}
}

func TestReportRoundTrip(t *testing.T) {
	want := &Report{Err: "", WaitStatus: 0x0900, Real: 5, UserNs: 6, SysNs: 7, MaxRSSKiB: 8, MinFlt: 9, MajFlt: 10,
		Inblock: 11, Oublock: 12, Nvcsw: 13, Nivcsw: 14, Files: []File{{Path: "out", Mode: 0o644, Data: []byte("x")}},
		Native: true, NetUntouched: true}
	got, err := UnmarshalReport(want.Marshal())
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, %v", got, err)
	}
}

// The started message comes before the report and cannot be taken for
// one, not even the report of a run with nothing in it.
func TestStartedThenReport(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteStarted(&buf); err != nil {
		t.Fatal(err)
	}
	if err := WriteMessage(&buf, (&Report{}).Marshal()); err != nil {
		t.Fatal(err)
	}
	first, err := ReadMessage(&buf)
	if err != nil || !IsStarted(first) {
		t.Fatalf("first message %q %v: not the started message", first, err)
	}
	second, err := ReadMessage(&buf)
	if err != nil || IsStarted(second) {
		t.Fatalf("an empty report %q %v reads as the started message", second, err)
	}
}

func TestMessageFraming(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteMessage(&buf, []byte("hello")); err != nil {
		t.Fatal(err)
	}
	got, err := ReadMessage(&buf)
	if err != nil || string(got) != "hello" {
		t.Fatalf("%q %v", got, err)
	}
	huge := []byte{0, 0, 0, 0, 0, 0, 0, 0x7f}
	if _, err := ReadMessage(bytes.NewReader(huge)); err == nil {
		t.Error("a 2^62-byte length accepted")
	}
	if _, err := ReadMessage(bytes.NewReader([]byte{9, 0, 0, 0, 0, 0, 0, 0, 'a'})); err == nil {
		t.Error("short body accepted")
	}
}

// FuzzUnmarshal: the helper parses what arrives on its socket; whatever
// it is, decoding must not panic, and what decodes must re-encode to the
// same bytes.
func FuzzUnmarshal(f *testing.F) {
	f.Add(sampleRequest().Marshal())
	f.Add((&Report{Err: "x", Files: []File{{Path: "a"}}}).Marshal())
	f.Add([]byte{})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := UnmarshalRequest(b); err == nil && !bytes.Equal(r.Marshal(), b) {
			t.Errorf("request re-encodes differently")
		}
		if r, err := UnmarshalReport(b); err == nil && !bytes.Equal(r.Marshal(), b) {
			t.Errorf("report re-encodes differently")
		}
	})
}
