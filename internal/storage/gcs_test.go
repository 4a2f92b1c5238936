//go:build gcs

package storage_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/fsouza/fake-gcs-server/fakestorage"

	"github.com/pid1/pid1/internal/storage"
)

// In a build with -tags gcs, gs:// works: the bucket contract against
// fake-gcs-server on 127.0.0.1, reached through the emulator variable the
// Google client honours.
func TestGCS(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0") // a free port: the server must know its own address to route reads
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	srv, err := fakestorage.NewServerWithOptions(fakestorage.Options{Scheme: "http", Host: "127.0.0.1", Port: uint16(port), PublicHost: fmt.Sprintf("127.0.0.1:%d", port)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	srv.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: "bucket"})
	t.Setenv("STORAGE_EMULATOR_HOST", strings.TrimPrefix(srv.URL(), "http://"))
	ctx := context.Background()
	b := open(t, "gs://bucket?anonymous=true")
	for _, k := range []string{"a/b", "a/c", "top"} {
		if err := b.WriteAll(ctx, k, []byte(k)); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := b.ReadAll(ctx, "a/b"); err != nil || string(got) != "a/b" {
		t.Fatalf("a/b: %q %v", got, err)
	}
	if _, err := b.ReadAll(ctx, "missing"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}
	if got := keys(t, b, "a/"); !slices.Equal(got, []string{"a/b", "a/c"}) {
		t.Fatalf("keys: %q", got)
	}
	if err := b.Delete(ctx, "a/b"); err != nil {
		t.Fatal(err)
	}
	if ok, err := b.Exists(ctx, "a/b"); ok || err != nil {
		t.Fatalf("after Delete: %v %v", ok, err)
	}
}
