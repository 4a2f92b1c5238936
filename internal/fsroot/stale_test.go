package fsroot_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pid1/pid1/test/kit/testutil"

	"github.com/pid1/pid1/internal/fsroot"
	"github.com/pid1/pid1/test/kit/hostile"
)

// The temporary files of writes cut off by a kill are removed wherever they
// are in the workspace, and nowhere else: not behind a link, not what a
// temporary-named link points to.
func TestRemoveStaleRemovesTemporaryFiles(t *testing.T) {
	fx := hostile.Setup(t)
	ws := fx.Workspace
	write(t, ws, "keep.txt", "keep")
	write(t, ws, "sub/deeper/keep.txt", "keep")
	write(t, ws, ".~pid1-top.tmp", strings.Repeat("x", 5<<20)) // a 5 MiB transfer, cut off
	write(t, ws, "sub/deeper/.~pid1-deep.tmp", "half")
	write(t, ws, ".~pid1-dir/inside", "a temporary directory")
	os.Symlink(filepath.Join(fx.Outside, "secret"), filepath.Join(ws, ".~pid1-link.tmp"))
	// Outside, behind the fixture's links: never touched.
	write(t, fx.Outside, "dir/.~pid1-outside.tmp", "not ours")
	before := testutil.Tree(t, fx.Outside)

	d := openDir(t, ws)
	c, err := d.RemoveStale(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c.Removed != 4 || c.Bytes != 5<<20+4 {
		t.Fatalf("cleanup: %+v, want 4 removed, %d bytes", c, 5<<20+4)
	}
	got := testutil.Tree(t, ws)
	if strings.Contains(got, ".~pid1") || !strings.Contains(got, "sub/deeper/keep.txt") || !strings.Contains(got, "keep.txt") {
		t.Fatalf("after cleanup:\n%s", got)
	}
	if after := testutil.Tree(t, fx.Outside); after != before {
		t.Fatalf("outside changed:\n%s\nwas:\n%s", after, before)
	}
	if c, err := d.RemoveStale(context.Background()); err != nil || c != (fsroot.Cleanup{}) {
		t.Fatalf("second cleanup: %+v %v", c, err)
	}
}
