// Command benchreport runs pid1's benchmarks with their baselines in one
// run and writes the results, with the targets they are held to, to
// bench/results.md. `make bench` runs it.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pid1/pid1/bench"
)

func main() {
	if kind := os.Getenv(bench.ChildEnv); kind != "" {
		if err := bench.ServeChild(kind); err != nil {
			fmt.Fprintln(os.Stderr, "benchreport child:", err)
			os.Exit(1)
		}
		return
	}
	testing.Init()
	out := flag.String("out", "bench/results.md", "where to write the report")
	rounds := flag.Int("rounds", 3, "runs of each benchmark pair; the report shows medians")
	conns := flag.Int("conns", 1000, "idle connections for the memory measurement")
	flag.Parse()
	if err := run(*out, *rounds, *conns); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

type row struct {
	name, value, baseline, ratio, target, verdict string
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// pair runs a and its baseline alternately and returns median values of
// metric (ns/op when metric is "").
func pair(rounds int, metric string, a, base func(bench.B, int)) (float64, float64, error) {
	var as, bs []float64
	for range rounds {
		for i, f := range []func(bench.B, int){a, base} {
			r := testing.Benchmark(func(b *testing.B) { f(b, b.N) })
			if r.N == 0 {
				return 0, 0, fmt.Errorf("a benchmark failed (run go test -bench ./bench for its message)")
			}
			v := float64(r.NsPerOp())
			if metric != "" {
				v = r.Extra[metric]
			}
			if i == 0 {
				as = append(as, v)
			} else {
				bs = append(bs, v)
			}
		}
	}
	return median(as), median(bs), nil
}

func verdict(ok bool) string {
	if ok {
		return "meets"
	}
	return "**misses**"
}

func run(out string, rounds, conns int) error {
	start := time.Now()
	var rows []row

	fmt.Fprintln(os.Stderr, "ping round trips...")
	hub, echo, err := pair(rounds, "", bench.PingHub, bench.PingEcho)
	if err != nil {
		return err
	}
	hub2, raw, err := pair(rounds, "", bench.PingHub, bench.PingRaw)
	if err != nil {
		return err
	}
	rows = append(rows,
		row{"ping → pong round trip, pid1 hub vs raw echo server (same Go client)", us(hub), us(echo), ratio(hub / echo), "≤ 1.3×", verdict(hub/echo <= 1.3)},
		row{"ping → pong round trip, pid1 hub vs raw echo with no client library", us(hub2), us(raw), ratio(hub2 / raw), "(floor, for reference)", ""})

	fmt.Fprintln(os.Stderr, "chat fan-out...")
	fh, fr, err := pair(rounds, "deliveries/s", bench.FanoutHub, bench.FanoutRaw)
	if err != nil {
		return err
	}
	rows = append(rows, row{fmt.Sprintf("chat fan-out, 1 sender → %d sessions, deliveries/s", bench.Receivers),
		fmt.Sprintf("%.0f", fh), fmt.Sprintf("%.0f", fr), ratio(fh / fr), "≥ 0.7×", verdict(fh/fr >= 0.7)})

	fmt.Fprintln(os.Stderr, "memory per idle connection...")
	self, err := os.Executable()
	if err != nil {
		return err
	}
	mh, err := bench.MeasureConns(self, "hub", conns)
	if err != nil {
		return err
	}
	mr, err := bench.MeasureConns(self, "raw", conns)
	if err != nil {
		return err
	}
	rows = append(rows, row{fmt.Sprintf("heap per idle connection with one open channel (%d connections)", conns),
		kib(mh.HeapPerConnBytes), kib(mr.HeapPerConnBytes) + " (raw WebSocket, no channel)", ratio(mh.HeapPerConnBytes / mr.HeapPerConnBytes),
		"≤ 32 KiB", verdict(mh.HeapPerConnBytes <= 32<<10)})
	rows = append(rows, row{fmt.Sprintf("server RSS with %d idle connections", conns),
		mib(float64(mh.RSSAfter)), mib(float64(mr.RSSAfter)), ratio(float64(mh.RSSAfter) / float64(mr.RSSAfter)), "", ""})

	fmt.Fprintln(os.Stderr, "idle pid1 RSS...")
	dir, err := os.MkdirTemp("", "benchreport-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "pid1")
	if b, err := exec.Command("go", "build", "-o", bin, "./pid1").CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./pid1: %v\n%s", err, b)
	}
	rss, err := bench.IdleRSS(bin, dir, 2*time.Second)
	if err != nil {
		return err
	}
	rows = append(rows, row{"pid1 RSS when idle (the real binary, 2 s after start)", mib(float64(rss)),
		mib(float64(mr.RSSBefore)) + " (raw WebSocket server process, idle)", ratio(float64(rss) / float64(mr.RSSBefore)), "≤ 20 MiB", verdict(rss <= 20<<20)})

	var b strings.Builder
	fmt.Fprintf(&b, "# pid1 benchmark results\n\n")
	fmt.Fprintf(&b, "Written by `make bench` (`go run ./bench/cmd/benchreport`) on %s: %s, %d CPUs, %s.\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	fmt.Fprintf(&b, "Each speed figure is the median of %d alternating runs of pid1 and its baseline, both on 127.0.0.1 in the same process run. Took %s.\n\n",
		rounds, time.Since(start).Round(time.Second))
	b.WriteString("| measurement | pid1 | baseline | ratio | target | |\n|---|---|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", r.name, r.value, r.baseline, r.ratio, r.target, r.verdict)
	}
	b.WriteString(`
Baselines: the ping baseline is a coder/websocket server that echoes each frame (after sending
containerState READY so the same Go client connects); the floor row drops the client library too.
The fan-out baseline is a coder/websocket server that writes each frame from the sender to 100
connections, whose readers unmarshal it as pid1's client does; both send 32 messages and wait
for every delivery before the next 32. Memory is measured in a separate server process after
runtime.GC: heap growth divided by the number of connections (pid1: one chat channel each).
`)
	if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
		return err
	}
	fmt.Print(b.String())
	return nil
}

func us(ns float64) string     { return fmt.Sprintf("%.1f µs", ns/1e3) }
func ratio(x float64) string   { return fmt.Sprintf("%.2f×", x) }
func kib(bytes float64) string { return fmt.Sprintf("%.1f KiB", bytes/1024) }
func mib(bytes float64) string { return fmt.Sprintf("%.1f MiB", bytes/(1<<20)) }
