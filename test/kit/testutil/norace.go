//go:build !race

package testutil

// Race reports whether the race detector is on (see race.go).
const Race = false

// RaceSlowdown is 1 without the race detector (see race.go).
const RaceSlowdown = 1
