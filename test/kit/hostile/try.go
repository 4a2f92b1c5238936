package hostile

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/client"
	"github.com/pid1/pid1/test/kit/servicetest"
)

// Try sends every operation of ops with every hostile path on ch. Each
// must be refused (unless it acts on a link itself), no reply may carry
// anything from outside the workspace, and the outside must not change.
// A file "victim" is (re)written before each request.
func (f *Fixture) Try(t *testing.T, ch *client.Channel, ops map[string]Op) {
	t.Helper()
	if n := len(Paths()); n < 30 {
		t.Fatalf("only %d hostile paths", n)
	}
	for _, p := range Paths() {
		for name, op := range ops {
			f.Relink(t)
			servicetest.Request(t, ch, &api.Command{Body: &api.Command_Write{Write: &api.File{Path: "victim", Content: []byte("v")}}})
			r := servicetest.Request(t, ch, op(p))
			what := fmt.Sprintf("%s %q", name, p)
			if strings.Contains(r.String(), Secret) || strings.Contains(r.String(), "root:x:0:0") {
				t.Fatalf("%s leaked: %v", what, r)
			}
			if r.GetError() == "" && !ActsOnLink(name, p) {
				t.Errorf("%s succeeded: %v", what, r)
			}
			f.Check(t, what)
		}
	}
}
