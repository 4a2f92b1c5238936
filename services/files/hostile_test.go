package files_test

import (
	"testing"

	"github.com/pid1/pid1/test/kit/hostile"
	"github.com/pid1/pid1/test/kit/servicetest"
)

// Every hostile path, through every operation, is refused or acts inside
// the workspace only; no reply ever carries what lies outside.
func TestHostilePaths(t *testing.T) {
	fx := hostile.Setup(t)
	url := serveDir(t, fx.Workspace)
	fx.Try(t, servicetest.Open(t, url("mallory"), "files", ""), hostile.FileOps)
}
