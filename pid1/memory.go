package main

import (
	"log/slog"
	"os"
	"runtime/debug"

	"github.com/pid1/pid1/conman"
)

// memoryHeadroom is what pid1 needs beyond its output budget: its own
// heap (sessions, channels, services, files being read: at most 32 MiB of
// them at once, and their replies), the collector's slack and what is not
// heap (the binary, stacks). pid1's resident memory stays under budget +
// headroom; Go's collector is asked to keep what it manages under budget
// + gcHeadroom, which leaves the rest for what it does not.
const (
	memoryHeadroom = 256 << 20
	gcHeadroom     = 192 << 20
)

// limitMemory resolves the output budget and tells Go's collector to keep
// pid1's heap under budget + gcHeadroom (unless GOMEMLIMIT says
// otherwise), so that garbage (a large file read, replies already sent)
// is collected before the heap grows past what pid1 may use. It returns
// the budget.
func limitMemory(configured int64, log *slog.Logger) int64 {
	budget := conman.MemoryBudget(configured)
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(budget + gcHeadroom)
	}
	log.Info("memory", "output_budget_mib", budget>>20, "go_memory_limit_mib", debug.SetMemoryLimit(-1)>>20)
	return budget
}
