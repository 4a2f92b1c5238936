package bench

import (
	"os"
	"testing"
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
		m, err := MeasureConns(self, kind, 10)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if m.HeapAfter <= 0 || m.RSSAfter <= 0 {
			t.Errorf("%s: no memory figures: %+v", kind, m)
		}
	}
}
