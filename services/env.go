package services

import (
	"os"
	"strings"
)

// inherited are variables pid1 may have inherited from whatever started
// it (`make run`, a test under make) that would change how the user's
// programs behave: make prints "Entering directory" and passes flags down
// when it sees them.
var inherited = []string{"MAKELEVEL", "MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES", "GNUMAKEFLAGS"}

// UserEnv is the environment for a user's program: base (pid1's own when
// nil) without the variables pid1 inherited that are not the user's.
func UserEnv(base []string) []string {
	if base == nil {
		base = os.Environ()
	}
	out := make([]string, 0, len(base))
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		drop := false
		for _, x := range inherited {
			if k == x {
				drop = true
				break
			}
		}
		if !drop {
			out = append(out, kv)
		}
	}
	return out
}
