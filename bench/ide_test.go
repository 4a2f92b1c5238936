package bench

import "testing"

// TestIDEHarness runs the browser IDE's measurements briefly: the page
// loads, keystrokes travel between the two browsers and the Go clients'
// edits arrive.
func TestIDEHarness(t *testing.T) {
	r := IDE(t, 5, 1)
	if r.Keystroke.P50 <= 0 || r.GoClient.P50 <= 0 || r.Load.P50 <= 0 {
		t.Errorf("a measurement is empty: %+v", r)
	}
	if r.FirstLoadBytes <= 0 || r.TotalGzip < r.FirstLoadBytes/2 {
		t.Errorf("bundle sizes: first load %d B, total %d B gzipped", r.FirstLoadBytes, r.TotalGzip)
	}
	t.Logf("keystroke %v; Go client %v; load p50 %v; first load %d B, bundle %d B gzipped", r.Keystroke, r.GoClient, r.Load.P50, r.FirstLoadBytes, r.TotalGzip)
}
