package main

import (
	"fmt"
	"testing"

	"github.com/pid1/pid1/bench"
)

// ideRows measures the browser IDE once (it is one long run: a browser,
// two pages, 200 keystrokes).
func ideRows() ([]row, error) {
	var r bench.IDEResult
	var failed bool
	res := testing.Benchmark(func(b *testing.B) {
		if b.N > 1 { // testing.Benchmark asks again only if the first run was short
			b.SkipNow()
		}
		r = bench.IDE(b, 200, 5)
		failed = b.Failed()
	})
	if failed || res.N == 0 {
		return nil, fmt.Errorf("the browser IDE measurement failed (run go test ./bench -run TestIDEHarness -v for its output)")
	}
	return []row{
		{"IDE: keystroke in one browser → visible in the other (p50, p99), vs the ot service's Go client edit → other Go client",
			r.Keystroke.String(), r.GoClient.String(), ratio(bench.Ratio(r.Keystroke, r.GoClient)), "p99 ≤ 1 s", verdict(r.Keystroke.P99 <= 1e9)},
		{"IDE: page load on loopback → connected with the tree listed (p50; slowest of 5)",
			fmt.Sprintf("%s (max %s)", lat(r.Load.P50), lat(r.Load.Max)), "", "", "(for reference)", ""},
		{"IDE: bundle gzipped, first load (page, script, stylesheet) / everything (with the lazy language chunks)",
			fmt.Sprintf("%s / %s", kib(float64(r.FirstLoadBytes)), kib(float64(r.TotalGzip))), "", "", "≤ 1 MiB", verdict(r.TotalGzip <= 1<<20)},
	}, nil
}
