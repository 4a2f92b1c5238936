package deprecated_test

import (
	"testing"

	"github.com/pid1/pid1/api"
	"github.com/pid1/pid1/services/deprecated"
	"github.com/pid1/pid1/test/kit/servicetest"
)

func TestRetiredServicesNameTheirReplacement(t *testing.T) {
	url := servicetest.Serve(t, deprecated.Descriptors()...)
	for name, use := range deprecated.Replacements {
		ch := servicetest.Open(t, url("ada"), name, "")
		want := name + " is deprecated, use " + use
		if got := servicetest.Next(t, ch).GetError(); got != want {
			t.Errorf("attaching to %s: %q, want %q", name, got, want)
		}
		if r := servicetest.Request(t, ch, &api.Command{Body: &api.Command_Eval{Eval: "1+1"}}); r.GetError() != want {
			t.Errorf("a command to %s: %v", name, r)
		}
	}
}
