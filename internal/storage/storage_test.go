package storage_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pid1/pid1/internal/storage"
	"github.com/pid1/pid1/test/kit/s3test"
)

func open(t *testing.T, url string) *storage.Bucket {
	t.Helper()
	b, err := storage.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// backends opens an empty bucket of each kind pid1 builds in: file:// and
// s3:// (a real S3 server, gofakes3, on 127.0.0.1).
func backends(t *testing.T) map[string]*storage.Bucket {
	return map[string]*storage.Bucket{
		"file": open(t, "file://"+t.TempDir()),
		"s3":   open(t, s3test.URL(t, "bucket")),
	}
}

func keys(t *testing.T, b *storage.Bucket, prefix string) []string {
	t.Helper()
	var out []string
	for k, err := range b.List(context.Background(), prefix) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// tricky are keys a workspace can hold whose names the backends store
// escaped.
var tricky = []string{"ctl\x01char", "literal__0x41__text", "dots/../up", "double//slash", "tab\tin/dir", "ünïcode/файл", ".pid1-put-looks-temporary", "end.attrs"}

func TestBucketContract(t *testing.T) {
	ctx := context.Background()
	for name, b := range backends(t) {
		t.Run(name, func(t *testing.T) {
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			must(b.WriteAll(ctx, "a/b", []byte("one")))
			must(b.WriteAll(ctx, "a/b", []byte("two"))) // replaces
			must(b.WriteAll(ctx, "a/c/d", nil))         // empty
			must(b.WriteAll(ctx, "top", []byte("t")))
			if got, err := b.ReadAll(ctx, "a/b"); err != nil || string(got) != "two" {
				t.Fatalf("a/b: %q %v", got, err)
			}
			if got, err := b.ReadAll(ctx, "a/c/d"); err != nil || len(got) != 0 {
				t.Fatalf("empty object: %q %v", got, err)
			}
			for _, k := range []string{"missing", "a", "a/c"} { // "a" and "a/c" are only prefixes
				if _, err := b.ReadAll(ctx, k); !errors.Is(err, storage.ErrNotFound) {
					t.Errorf("reading %q: %v, want ErrNotFound", k, err)
				}
				if ok, err := b.Exists(ctx, k); ok || err != nil {
					t.Errorf("Exists(%q) = %v, %v", k, ok, err)
				}
			}
			if ok, err := b.Exists(ctx, "a/b"); !ok || err != nil {
				t.Fatalf("Exists(a/b) = %v, %v", ok, err)
			}
			if got := keys(t, b, ""); !slices.Equal(got, []string{"a/b", "a/c/d", "top"}) {
				t.Fatalf("all keys: %q", got)
			}
			if got := keys(t, b, "a/"); !slices.Equal(got, []string{"a/b", "a/c/d"}) {
				t.Fatalf("keys under a/: %q", got)
			}
			if got := keys(t, b, "a/c"); !slices.Equal(got, []string{"a/c/d"}) {
				t.Fatalf("keys starting a/c: %q", got)
			}
			if got := keys(t, b, "nothing/"); got != nil {
				t.Fatalf("keys under nothing/: %q", got)
			}
			n := 0
			for range b.List(ctx, "") {
				n++
				break
			}
			if n != 1 {
				t.Fatalf("a list stopped after one yielded %d", n)
			}
			p := b.Prefixed("a/")
			if got, err := p.ReadAll(ctx, "b"); err != nil || string(got) != "two" {
				t.Fatalf("prefixed read: %q %v", got, err)
			}
			must(p.WriteAll(ctx, "e", []byte("e")))
			if got := keys(t, p, ""); !slices.Equal(got, []string{"b", "c/d", "e"}) {
				t.Fatalf("prefixed keys: %q", got)
			}
			must(b.Delete(ctx, "a/b"))
			if ok, _ := b.Exists(ctx, "a/b"); ok {
				t.Fatal("a/b is still there after Delete")
			}
			if name == "file" { // S3 does not say whether a deleted key existed
				if err := b.Delete(ctx, "a/b"); !errors.Is(err, storage.ErrNotFound) {
					t.Fatalf("deleting a missing key: %v", err)
				}
				if err := b.Delete(ctx, "a"); !errors.Is(err, storage.ErrNotFound) {
					t.Fatalf("deleting a prefix: %v", err)
				}
			}
			must(b.Sync())
			must(b.SyncKeys("top"))
		})
	}
}

func TestWriterAbandoned(t *testing.T) {
	for name, b := range backends(t) {
		t.Run(name, func(t *testing.T) {
			if err := b.WriteAll(context.Background(), "k", []byte("old")); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			w, err := b.NewWriter(ctx, "k")
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte("half of the new"))
			cancel()
			if err := w.Close(); err == nil {
				t.Fatal("Close after the context ended succeeded")
			}
			if got, err := b.ReadAll(context.Background(), "k"); err != nil || string(got) != "old" {
				t.Fatalf("after an abandoned write: %q %v, want the old object", got, err)
			}
			if got := keys(t, b, ""); !slices.Equal(got, []string{"k"}) {
				t.Fatalf("keys: %q (an unfinished write shows)", got)
			}
		})
	}
}

// An object larger than one upload part (S3 goes multipart) arrives whole.
func TestLargeObject(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 10<<20/16) // the transfer manager's parts are 8 MiB
	for name, b := range backends(t) {
		t.Run(name, func(t *testing.T) {
			w, err := b.NewWriter(context.Background(), "big")
			if err != nil {
				t.Fatal(err)
			}
			for chunk := range slices.Chunk(big, 100_000) {
				if _, err := w.Write(chunk); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if got, err := b.ReadAll(context.Background(), "big"); err != nil || !bytes.Equal(got, big) {
				t.Fatalf("read %d bytes (%v), wrote %d", len(got), err, len(big))
			}
		})
	}
}

func TestTrickyKeys(t *testing.T) {
	ctx := context.Background()
	for name, b := range backends(t) {
		t.Run(name, func(t *testing.T) {
			for _, k := range tricky {
				if err := b.WriteAll(ctx, k, []byte(k)); err != nil {
					t.Fatalf("%q: %v", k, err)
				}
			}
			for _, k := range tricky {
				if got, err := b.ReadAll(ctx, k); err != nil || string(got) != k {
					t.Errorf("%q: read %q %v", k, got, err)
				}
			}
			want := slices.Sorted(slices.Values(tricky))
			if got := keys(t, b, ""); !slices.Equal(got, want) {
				t.Fatalf("keys %q, want %q", got, want)
			}
		})
	}
}

// A file:// key cannot reach outside the bucket's directory, and the
// objects are plain files at their keys.
func TestFileLayout(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "new", "store")
	b := open(t, "file://"+dir)
	if err := b.WriteAll(ctx, "a/b", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "a/b")); string(got) != "x" {
		t.Fatalf("on disk: %q", got)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "dots", "..__0x2f__up")); got != nil {
		t.Fatalf("unexpected %q", got)
	}
	if err := b.WriteAll(ctx, "dots/../up", []byte("y")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "dots", "..__0x2f__up")); string(got) != "y" {
		t.Fatalf("dots/../up is not stored escaped: %q", got)
	}
	for _, k := range []string{"..", "a/..", "", "."} {
		if err := b.WriteAll(ctx, k, []byte("no")); err == nil || !strings.Contains(err.Error(), "names no object inside the bucket") {
			t.Errorf("writing %q: %v", k, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "..", "no")); err == nil {
		t.Fatal("a write left the bucket")
	}
}

func TestOpenErrors(t *testing.T) {
	for url, want := range map[string]string{
		"ftp://x":                       "the scheme must be file://, s3:// or gs://",
		"file://":                       "a file:// URL needs an absolute path",
		"s3://?region=x":                "an s3:// URL names its bucket",
		"s3://b?nonsense=1":             `unknown query parameter "nonsense"; an s3:// URL takes accelerate, anonymous`,
		"s3://b?use_path_style=maybe":   `use_path_style="maybe" is not true or false`,
		"s3://b?endpoint=localhost":     "is not a URL like https://host:port",
		"s3://b?role=admin":             `the role "admin" is not an ARN`,
		"s3://b?secret=hush&nonsense=1": "REDACTED",
	} {
		_, err := storage.Open(context.Background(), url)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", url, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "hush") {
			t.Errorf("%s: the secret is in the error: %v", url, err)
		}
	}
}
