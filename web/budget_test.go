package web_test

import (
	"testing"

	"github.com/pid1/pid1/test/kit/webtest"
)

// budgetGzip is the bundle's size budget: every file of it gzipped, the
// editor's lazily loaded language chunks included.
const budgetGzip = 1 << 20

// TestBundleWithinBudget checks the embedded bundle against its budget
// and reports its size (make bench reports it too).
func TestBundleWithinBudget(t *testing.T) {
	webtest.NeedBuilt(t)
	n := webtest.BundleGzipSize(t)
	t.Logf("the bundle is %.1f KiB gzipped (budget %d KiB)", float64(n)/1024, budgetGzip/1024)
	if n > budgetGzip {
		t.Errorf("the bundle is %d bytes gzipped, over its budget of %d", n, budgetGzip)
	}
}
