package main

import (
	"fmt"
	"os"
)

func main() {
	args := os.Args[1:]
	var err error
	switch {
	case len(args) > 0 && args[0] == "token":
		err = runToken(args[1:], os.Stdout)
	case len(args) > 0 && args[0] == "keygen":
		err = runKeygen(args[1:], os.Stdout)
	default:
		var code int
		code, err = runServe(args)
		if err == nil {
			os.Exit(code)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "pid1:", err)
		os.Exit(1)
	}
}
