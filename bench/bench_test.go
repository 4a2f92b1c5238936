package bench

import (
	"os"
	"testing"
	"time"
)

func BenchmarkPingHub(b *testing.B)   { PingHub(b, b.N) }
func BenchmarkPingEcho(b *testing.B)  { PingEcho(b, b.N) }
func BenchmarkPingRaw(b *testing.B)   { PingRaw(b, b.N) }
func BenchmarkFanoutHub(b *testing.B) { FanoutHub(b, b.N) }
func BenchmarkFanoutRaw(b *testing.B) { FanoutRaw(b, b.N) }

// TestMain lets MeasureConns re-execute the test binary as a server.
func TestMain(m *testing.M) {
	if kind := os.Getenv(ChildEnv); kind != "" {
		if err := ServeChild(kind); err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestHarnesses runs each measurement briefly so that they keep working
// between `make bench` runs; the numbers are not checked here.
func TestHarnesses(t *testing.T) {
	for name, f := range map[string]func(B, int){"PingHub": PingHub, "PingEcho": PingEcho, "PingRaw": PingRaw} {
		t.Run(name, func(t *testing.T) { f(&Smoke{T: t}, 3) })
	}
	for name, f := range map[string]func(B, int){"FanoutHub": FanoutHub, "FanoutRaw": FanoutRaw} {
		t.Run(name, func(t *testing.T) {
			s := &Smoke{T: t}
			f(s, 2*window+1) // two full windows and a partial one
			if s.Metrics["deliveries/s"] <= 0 {
				t.Errorf("no delivery rate: %v", s.Metrics)
			}
		})
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"hub", "raw"} {
		// More than one user's default share of sessions (64): the
		// measurement connects them all as one user.
		m, err := MeasureConns(self, kind, 100)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if m.HeapAfter <= 0 || m.RSSAfter <= 0 {
			t.Errorf("%s: no memory figures: %+v", kind, m)
		}
	}
}

func BenchmarkExecHub(b *testing.B)           { ExecHub(b, b.N) }
func BenchmarkExecDirect(b *testing.B)        { ExecDirect(b, b.N) }
func BenchmarkFilesBigHub(b *testing.B)       { FilesBigHub(b, b.N) }
func BenchmarkFilesBigDirect(b *testing.B)    { FilesBigDirect(b, b.N) }
func BenchmarkFilesBigDurable(b *testing.B)   { FilesBigDurable(b, b.N) }
func BenchmarkEchoBig(b *testing.B)           { EchoBig(b, b.N) }
func BenchmarkFilesSmallHub(b *testing.B)     { FilesSmallHub(b, b.N) }
func BenchmarkFilesSmallDirect(b *testing.B)  { FilesSmallDirect(b, b.N) }
func BenchmarkFilesSmallDurable(b *testing.B) { FilesSmallDurable(b, b.N) }

func TestWorkspaceHarnesses(t *testing.T) {
	for name, f := range map[string]func(B, int){"ExecHub": ExecHub, "ExecDirect": ExecDirect,
		"FilesBigHub": FilesBigHub, "FilesBigDirect": FilesBigDirect} {
		t.Run(name, func(t *testing.T) { f(&Smoke{T: t}, 2) })
	}
	for name, f := range map[string]func(int) (Latencies, error){"fsevents": FseventsLatency, "fsnotify": FsnotifyLatency} {
		t.Run(name, func(t *testing.T) {
			if l, err := f(5); err != nil || l.P50 <= 0 {
				t.Fatalf("%v %v", l, err)
			}
		})
	}
	t.Run("snapshot", func(t *testing.T) {
		if first, second, res, err := SnapshotTimes(200, 200<<10); err != nil || res.Files != 200 || first <= 0 || second <= 0 {
			t.Fatalf("%v %v %+v %v", first, second, res, err)
		}
	})
}

func TestTerminalHarnesses(t *testing.T) {
	for name, f := range map[string]func(int) (float64, error){"shell": ShellThroughput, "pty": PtyThroughput} {
		t.Run(name, func(t *testing.T) {
			if bps, err := f(1 << 20); err != nil || bps <= 0 {
				t.Fatalf("%v %v", bps, err)
			}
		})
	}
	for name, f := range map[string]func(int) (Latencies, error){"shell": ShellEcho, "pty": PtyEcho} {
		t.Run(name+"echo", func(t *testing.T) {
			if l, err := f(30); err != nil || l.P50 <= 0 {
				t.Fatalf("%v %v", l, err)
			}
		})
	}
}

func TestFloodPingHarness(t *testing.T) {
	if l, err := FloodPing(10); err != nil || l.P50 <= 0 || l.Max < l.P99 {
		t.Fatalf("%v %v", l, err)
	}
}

// TestEngineHarness runs the engine measurements briefly (as root, as CI
// does): each program once through ATO's API and bare, sequentially and
// concurrently.
func TestEngineHarness(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("sandboxed runs need root")
	}
	s, err := StartEngines("")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, p := range EnginePrograms {
		if l, err := Sequential(1, func() error { return s.Run(p) }); err != nil || l.P50 <= 0 {
			t.Errorf("%s through ATO: %v %v", p.Language, l, err)
		}
		if l, err := Sequential(1, func() error { return RunBare(p) }); err != nil || l.P50 <= 0 {
			t.Errorf("%s bare: %v %v", p.Language, l, err)
		}
		if r, err := Concurrent(EngineClients, EngineClients, func() error { return s.Run(p) }); err != nil || r <= 0 {
			t.Errorf("%s through ATO, %d at once: %v %v", p.Language, EngineClients, r, err)
		}
		if r, err := Interleaved(1, func() (time.Duration, error) { return s.RannaRun(p) }, func() (time.Duration, error) { return s.RunTimed(p) }); err != nil || r.A.P50 <= 0 || r.B.P50 <= 0 {
			t.Errorf("%s through ranna and ATO: %+v %v", p.Language, r, err)
		}
	}
	if _, err := os.Stat("/usr/bin/asy"); err != nil {
		t.Log("asymptote is not installed: the asy pair is not run")
		return
	}
	if r, err := Interleaved(1, Whole(s.AsyRun), Whole(AsyBare)); err != nil || r.A.P50 <= 0 || r.B.P50 <= 0 {
		t.Errorf("asy through /asy and bare: %+v %v", r, err)
	}
}

// TestSandboxHarnesses runs the sandbox measurements briefly (as root:
// the sandbox needs it).
func TestSandboxHarnesses(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the sandbox runs as root")
	}
	for name, f := range map[string]func(B, int){"SandboxTrue": SandboxTrue(""), "BareTrue": BareTrue, "BwrapTrue": BwrapTrue} {
		t.Run(name, func(t *testing.T) { f(&Smoke{T: t}, 2) })
	}
	for name, f := range map[string]func(B, int){"SandboxPython": SandboxPython(""), "BarePython": BarePython, "BwrapPython": BwrapPython} {
		t.Run(name, func(t *testing.T) {
			s := &Smoke{T: t}
			f(s, Callers)
			if s.Metrics["runs/s"] <= 0 {
				t.Errorf("no rate: %v", s.Metrics)
			}
		})
	}
}

// TestPackagerHarness runs the packager measurement once per ecosystem,
// through packager3 and directly, and checks that both sides installed
// the package.
func TestPackagerHarness(t *testing.T) {
	p, err := StartPackager()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, eco := range PackagerEcosystems {
		for side, f := range map[string]func(string) (float64, error){"packager3": p.AddHub, "direct": p.AddDirect} {
			if s, err := f(eco); err != nil || s <= 0 {
				t.Errorf("%s %s: %v %v", eco, side, s, err)
			}
		}
		if err := p.Added(eco); err != nil {
			t.Errorf("%s: %v", eco, err)
		}
	}
}

func TestStalledViewerGapHarness(t *testing.T) {
	g, err := StalledViewerGap(4<<20, true)
	if err != nil {
		t.Fatal(err)
	}
	if g.Total <= 0 || g.MaxGap <= 0 || g.MaxGap > g.Total {
		t.Fatalf("gap %v of total %v", g.MaxGap, g.Total)
	}
	t.Logf("4 MiB with a stalled viewer: longest pause %v, total %v", g.MaxGap, g.Total)
}
