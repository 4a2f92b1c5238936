package bench

import "testing"

// B is what the measurements need from a *testing.B. Benchmarks pass the
// *testing.B itself; Smoke runs a measurement once inside a test.
type B interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	ResetTimer()
	StopTimer()
	ReportAllocs()
	ReportMetric(n float64, unit string)
}

// Smoke adapts a *testing.T to B, ignoring the timer and recording metrics.
type Smoke struct {
	*testing.T
	Metrics map[string]float64
}

func (s *Smoke) ResetTimer()   {}
func (s *Smoke) StopTimer()    {}
func (s *Smoke) ReportAllocs() {}

func (s *Smoke) ReportMetric(n float64, unit string) {
	if s.Metrics == nil {
		s.Metrics = map[string]float64{}
	}
	s.Metrics[unit] = n
}
