package packager3_test

import (
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/pid1/pid1/test/kit/registries"
)

// The local registries start once for the package's tests; every
// goroutine the services started has ended when the tests are done.
func TestMain(m *testing.M) {
	code := m.Run()
	registries.StopShared()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			os.Stderr.WriteString("goleak: " + err.Error() + "\n")
			code = 1
		}
	}
	os.Exit(code)
}
