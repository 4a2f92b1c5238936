package conman

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the hub's Prometheus series, on a registry of its own so that
// several hubs (tests) never collide.
type metrics struct {
	reg            *prometheus.Registry
	connections    prometheus.Counter
	sessions       prometheus.Gauge
	channels       *prometheus.GaugeVec
	commandsIn     prometheus.Counter
	commandsOut    prometheus.Counter
	bytesIn        prometheus.Counter
	bytesOut       prometheus.Counter
	authFailures   prometheus.Counter
	slowDisconnect prometheus.Counter
	protocolErrors *prometheus.CounterVec
	refusals       *prometheus.CounterVec
}

func newMetrics(more []prometheus.Collector) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		connections: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "pid1_connections_total", Help: "WebSocket connections accepted.",
		}),
		sessions: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "pid1_sessions", Help: "Sessions connected now.",
		}),
		channels: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "pid1_channels", Help: "Open channels by service.",
		}, []string{"service"}),
		commandsIn: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "pid1_commands_in_total", Help: "Commands received from clients.",
		}),
		commandsOut: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "pid1_commands_out_total", Help: "Commands queued to clients (one per recipient).",
		}),
		bytesIn: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "pid1_bytes_in_total", Help: "Frame bytes received from clients.",
		}),
		bytesOut: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "pid1_bytes_out_total", Help: "Frame bytes written to clients.",
		}),
		authFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "pid1_auth_failures_total", Help: "Upgrades refused for a bad or missing token.",
		}),
		slowDisconnect: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "pid1_slow_client_disconnects_total", Help: "Sessions cut off because they could not keep up.",
		}),
		protocolErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pid1_protocol_errors_total", Help: "Connections closed for a protocol violation, by kind.",
		}, []string{"kind"}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pid1_command_errors_total", Help: "Commands answered with an error, by service and kind (invalid, forbidden, not_found, unavailable, internal).",
		}, []string{"service", "kind"}),
	}
	m.reg.MustRegister(m.connections, m.sessions, m.channels, m.commandsIn, m.commandsOut,
		m.bytesIn, m.bytesOut, m.authFailures, m.slowDisconnect, m.protocolErrors, m.refusals,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.reg.MustRegister(more...)
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}
