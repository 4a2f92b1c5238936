//go:build !cgo

package main

// Without cgo the helper is package nsinit's, which takes over from its
// init function.
import _ "github.com/pid1/pid1/sandbox/nsinit"
