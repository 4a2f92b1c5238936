//go:build linux

package reaper

import (
	"context"
	"os/exec"
	"testing"
)

// BenchmarkSpawnTrue compares a Spawn+Wait round trip of true(1) with
// os/exec's Run in the same run. The reaper's Wait latency includes the
// SIGCHLD delivery to its loop goroutine.
func BenchmarkSpawnTrue(b *testing.B) {
	tr := lookPath(b, "true")
	b.Run("reaper", func(b *testing.B) {
		r := newTestReaper(b)
		ctx := context.Background()
		for b.Loop() {
			p, err := r.Spawn(Spec{Path: tr})
			if err != nil {
				b.Fatal(err)
			}
			if st, err := p.Wait(ctx); err != nil || st.Code != 0 {
				b.Fatal(st, err)
			}
		}
	})
	b.Run("os-exec", func(b *testing.B) {
		for b.Loop() {
			if err := exec.Command(tr).Run(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
