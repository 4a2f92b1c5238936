package conman_test

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/pid1/pid1/api"
)

func scrape(t *testing.T, h *testHub) string {
	t.Helper()
	resp, err := http.Get(h.metrics.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("/metrics: %d", resp.StatusCode)
	}
	return string(b)
}

func metric(t *testing.T, text, series string) float64 {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no series %s in /metrics", series)
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

func TestHealthAndMetrics(t *testing.T) {
	t.Parallel()
	h := newTestHub(t, nil)
	resp, err := http.Get(h.srv.URL + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("/healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	// /metrics is not on the clients' listener: it has one of its own.
	if resp, err := http.Get(h.srv.URL + "/metrics"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("/metrics on the clients' handler: %v %v, want 404", resp, err)
	} else {
		resp.Body.Close()
	}

	a := open(t, h.dial(t, "a"), "chat", "chatter", api.OpenChannel_ATTACH_OR_CREATE)
	open(t, h.dial(t, "b"), "chat", "chatter", api.OpenChannel_ATTACH_OR_CREATE)
	if err := a.Send(ctxT(t), chatMsg("hello")); err != nil {
		t.Fatal(err)
	}
	if resp, err := http.Get(h.srv.URL + "/wsv2/bad"); err == nil { // an auth failure
		resp.Body.Close()
	}
	t.Cleanup(http.DefaultClient.CloseIdleConnections)

	var text string
	deadline := time.Now().Add(5 * time.Second)
	for {
		text = scrape(t, h)
		if metric(t, text, "pid1_commands_out_total") >= 9 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	for series, min := range map[string]float64{
		"pid1_connections_total":            2,
		"pid1_sessions":                     2,
		`pid1_channels{service="chat"}`:     1,
		`pid1_channels{service="presence"}`: 1,
		"pid1_commands_in_total":            3, // two openChans and a chat message
		"pid1_commands_out_total":           9, // bootStatus x4, READY x2, openChanRes x2, the relayed message
		"pid1_bytes_in_total":               1,
		"pid1_bytes_out_total":              1,
		"pid1_auth_failures_total":          1,
	} {
		if v := metric(t, text, series); v < min {
			t.Errorf("%s = %v, want ≥ %v", series, v, min)
		}
	}
	metric(t, text, "pid1_slow_client_disconnects_total")
	metric(t, text, "go_goroutines")

	// While shutting down, health says so.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	h.Shutdown(ctx)
	resp, err = http.Get(h.srv.URL + "/healthz")
	if err != nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("/healthz during shutdown: %v %v", resp, err)
	}
	resp.Body.Close()
}
