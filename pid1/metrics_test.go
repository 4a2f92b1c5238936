package main

import (
	"flag"
	"io"
	"net/http"
	"strings"
	"testing"
)

// /metrics is served on its own listener only; the clients' listener
// answers 404 for it.
func TestMetricsOnTheirOwnListener(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	metrics := freeAddr(t)
	p := startOn(t, dir+"/ws", dir+"/state", "-metrics-listen", metrics)
	get := func(url string) (int, string) {
		t.Helper()
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get("http://" + p.addr + "/metrics"); code != http.StatusNotFound {
		t.Fatalf("/metrics on the clients' listener: HTTP %d, want 404", code)
	}
	code, body := get("http://" + metrics + "/metrics")
	if code != http.StatusOK || !strings.Contains(body, "pid1_sessions") {
		t.Fatalf("/metrics on -metrics-listen: HTTP %d\n%.300s", code, body)
	}
	// The engines' sandbox says how it limits runs, beside the hub.
	if !strings.Contains(body, "pid1_sandbox_mode{mode=") || !strings.Contains(body, "pid1_sandbox_runs_running") {
		t.Fatalf("/metrics lacks the sandbox's series:\n%s", body)
	}
	if !strings.Contains(p.logs.String(), "metrics="+metrics) {
		t.Fatalf("the metrics address was not logged:\n%s", p.logs.String())
	}
}

func TestMetricsListenDefaultsToLoopback(t *testing.T) {
	var c config
	fs := flag.NewFlagSet("pid1", flag.ContinueOnError)
	c.serveFlags(fs)
	t.Setenv("PID1_METRICS_LISTEN", "")
	if err := parse(fs, nil); err != nil {
		t.Fatal(err)
	}
	if c.metricsListen != "" {
		t.Fatalf("PID1_METRICS_LISTEN= gave %q, want off", c.metricsListen)
	}
	if def := fs.Lookup("metrics-listen").DefValue; def != "127.0.0.1:9283" {
		t.Fatalf("default -metrics-listen %q", def)
	}
}
