package files_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/internal/hostile"
	"github.com/pid1/pid1/internal/servicetest"
)

// hostileOps are every file operation, applied to one path.
var hostileOps = map[string]func(p string) *api.Command{
	"read": read, "remove": remove, "tryRemove": tryRemove, "mkdir": mkdir, "readdir": readdir, "stat": stat,
	"write":         func(p string) *api.Command { return write(p, "pwned") },
	"move from":     func(p string) *api.Command { return move(p, "moved-here") },
	"move to":       func(p string) *api.Command { return move("victim", p) },
	"transferStart": func(p string) *api.Command { return transferStart(p, 0) },
}

// Every hostile path, through every operation, is refused or acts inside
// the workspace only; no reply ever carries what lies outside.
func TestHostilePaths(t *testing.T) {
	fx := hostile.Setup(t)
	url := serveDir(t, fx.Workspace)
	ch := servicetest.Open(t, url("mallory"), "files", "")
	if n := len(hostile.Paths()); n < 30 {
		t.Fatalf("only %d hostile paths", n)
	}
	for _, p := range hostile.Paths() {
		for name, op := range hostileOps {
			fx.Relink(t)
			ok(t, ch, write("victim", "v"))
			r := servicetest.Request(t, ch, op(p))
			what := fmt.Sprintf("%s %q", name, p)
			if strings.Contains(r.String(), hostile.Secret) || strings.Contains(r.String(), "root:x:0:0") {
				t.Fatalf("%s leaked: %v", what, r)
			}
			if r.GetError() == "" && !actsOnLinkItself(name, p) {
				t.Errorf("%s succeeded: %v", what, r)
			}
			fx.Check(t, what)
		}
	}
}

// actsOnLinkItself is true for operations that may remove or rename a
// symbolic link inside the workspace without touching what it points to.
func actsOnLinkItself(op, p string) bool {
	switch op {
	case "remove", "tryRemove", "move from", "move to":
		return hostile.IsLink(p)
	}
	return false
}
