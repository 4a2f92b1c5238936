// Package s3test starts a real S3-compatible HTTP server (gofakes3) on
// 127.0.0.1 for tests, reached through pid1's s3:// storage.
package s3test

import (
	"net/http/httptest"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// URL starts a server holding an empty bucket and returns the s3:// URL
// that reaches it. The server stops when the test ends.
func URL(t testing.TB, bucket string) string {
	t.Helper()
	backend := s3mem.New()
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	return "s3://" + bucket + "?endpoint=" + srv.URL + "&region=us-east-1&use_path_style=true&disable_https=true"
}
