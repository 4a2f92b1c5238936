package storage_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pid1/pid1/internal/storage"
	"github.com/pid1/pid1/test/kit/s3test"
)

func TestOpen(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "new", "store")
	b, err := storage.Open(ctx, "file://"+dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.WriteAll(ctx, "a/b", []byte("x"), nil); err != nil {
		t.Fatal(err)
	}
	if err := b.Sync(); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "a/b")); string(got) != "x" {
		t.Fatalf("on disk: %q", got)
	}
	if got, err := b.Prefixed("a/").ReadAll(ctx, "b"); err != nil || string(got) != "x" {
		t.Fatalf("prefixed: %q %v", got, err)
	}
	b.Close()

	s3, err := storage.Open(ctx, s3test.URL(t, "bucket"))
	if err != nil {
		t.Fatal(err)
	}
	defer s3.Close()
	if err := s3.WriteAll(ctx, "k", []byte("v"), nil); err != nil {
		t.Fatal(err)
	}
	if err := s3.Sync(); err != nil {
		t.Fatal(err)
	}

	for url, want := range map[string]string{
		"ftp://x":            "the scheme must be file://, s3:// or gs://",
		"file://":            "a file:// URL needs an absolute path",
		"s3://b?secret=hush": "REDACTED",
	} {
		_, err := storage.Open(ctx, url)
		if url == "s3://b?secret=hush" {
			if err != nil && strings.Contains(err.Error(), "hush") {
				t.Errorf("%s: the secret is in the error: %v", url, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", url, err, want)
		}
	}
}
