//go:build race

package testutil

// Race reports whether the race detector is on: instrumented code runs
// several times slower, so a test's time bounds for a client that must
// keep up with a flood scale by RaceSlowdown.
const Race = true

// RaceSlowdown is how much longer a time bound is under the race detector.
const RaceSlowdown = 4
