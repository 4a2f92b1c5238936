//go:build cgo

package main

/*
// The C files of this directory hold the helper; their constructor runs
// before the Go runtime and, in helper mode, never returns.
*/
import "C"
