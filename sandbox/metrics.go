//go:build linux

package sandbox

import (
	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the sandbox's Prometheus series; Collectors hands them to
// whoever serves /metrics.
type metrics struct {
	mode    *prometheus.GaugeVec
	running prometheus.Gauge
	queued  prometheus.GaugeFunc
	ends    *prometheus.CounterVec
}

func newMetrics(s *Sandbox) *metrics {
	m := &metrics{
		mode: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "pid1_sandbox_mode", Help: "1 for the way runs are limited: cgroup2, cgroup1 or rlimits (no cgroups).",
		}, []string{"mode"}),
		running: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "pid1_sandbox_runs_running", Help: "Sandboxed runs executing now.",
		}),
		queued: prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "pid1_sandbox_runs_queued", Help: "Sandboxed runs waiting for a slot.",
		}, func() float64 { return float64(s.waiting.Load()) }),
		ends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pid1_sandbox_runs_total", Help: "Sandboxed runs ended, by the limit that ended them (none if none).",
		}, []string{"limit"}),
	}
	m.mode.WithLabelValues(s.mode).Set(1)
	return m
}

func (m *metrics) ended(r Result) {
	l := r.Limit
	if l == "" {
		l = "none"
	}
	m.ends.WithLabelValues(l).Inc()
}

// Collectors are the sandbox's metrics (its mode, runs running and queued,
// runs ended by limit), to register where pid1 serves /metrics.
func (s *Sandbox) Collectors() []prometheus.Collector {
	return []prometheus.Collector{s.metrics.mode, s.metrics.running, s.metrics.queued, s.metrics.ends}
}
