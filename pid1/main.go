package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	// The sandbox's helper mode: when pid1 re-executes itself to set up a
	// sandboxed run, nsinit's init takes over (before the rest of pid1
	// initialises) and never returns; otherwise it does nothing.
	_ "github.com/pid1/pid1/sandbox/nsinit"
)

func main() {
	args := os.Args[1:]
	var (
		code int
		err  error
	)
	switch {
	case len(args) > 0 && args[0] == "token":
		err = runToken(args[1:], os.Stdout)
	case len(args) > 0 && args[0] == "health":
		err = runHealth(args[1:], os.Stdout)
	case len(args) > 0 && args[0] == "keygen":
		err = runKeygen(args[1:], os.Stdout)
	case len(args) > 0 && args[0] == "engines":
		code, err = runEngines(args[1:])
	default:
		code, err = runServe(args)
	}
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0) // the usage was printed
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "pid1:", err)
		os.Exit(1)
	}
	os.Exit(code)
}
