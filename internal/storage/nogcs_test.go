//go:build !gcs

package storage_test

import (
	"context"
	"strings"
	"testing"

	"github.com/pid1/pid1/internal/storage"
)

func TestGCSNeedsTheBuildTag(t *testing.T) {
	_, err := storage.Open(context.Background(), "gs://bucket")
	if err == nil || !strings.Contains(err.Error(), "-tags gcs") {
		t.Fatalf("got %v", err)
	}
}
