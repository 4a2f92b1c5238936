// Package storage opens the object storage that gcsfiles and snapshot
// persist to, through gocloud.dev/blob: a file:// bucket (pid1's embedded
// default, under its state directory), s3:// (AWS or any S3-compatible
// server) or gs://.
//
// A write to S3 or GCS is durable when it returns. A file:// bucket is
// made durable by Sync, which flushes the file system that holds it.
package storage

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"gocloud.dev/blob"
	"gocloud.dev/blob/fileblob"
	_ "gocloud.dev/blob/s3blob" // s3:// URLs
	"golang.org/x/sys/unix"
)

// Bucket is an opened bucket.
type Bucket struct {
	*blob.Bucket
	dir    string // the directory of a file:// bucket; "" otherwise
	prefix string // what Prefixed added to every key
	url    string
}

// Open opens the bucket at rawURL. A file:// directory is created if
// missing; pid1's temporary files go next to the objects, so a rename never
// crosses file systems, and no metadata sidecar files are written.
func Open(ctx context.Context, rawURL string) (*Bucket, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("storage URL %q: %w", rawURL, err)
	}
	switch u.Scheme {
	case "file":
		dir := u.Path
		if dir == "" {
			return nil, fmt.Errorf("storage URL %q: a file:// URL needs an absolute path, e.g. file:///var/lib/pid1/storage", rawURL)
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("storage %s: %w", dir, err)
		}
		b, err := fileblob.OpenBucket(dir, &fileblob.Options{NoTempDir: true, Metadata: fileblob.MetadataDontWrite})
		if err != nil {
			return nil, err
		}
		return &Bucket{Bucket: b, dir: dir, url: rawURL}, nil
	case "gs":
		if !haveGCS {
			return nil, fmt.Errorf("storage URL %q: %s", redact(rawURL), errNoGCS)
		}
		fallthrough
	case "s3":
		b, err := blob.OpenBucket(ctx, rawURL)
		if err != nil {
			// the driver's message quotes the URL, credentials and all
			return nil, fmt.Errorf("storage URL %q: %s", redact(rawURL), strings.ReplaceAll(err.Error(), rawURL, redact(rawURL)))
		}
		return &Bucket{Bucket: b, url: rawURL}, nil
	}
	return nil, fmt.Errorf("storage URL %q: the scheme must be file://, s3:// or gs://", redact(rawURL))
}

// Prefixed returns a view of b in which every key starts with prefix.
func (b *Bucket) Prefixed(prefix string) *Bucket {
	return &Bucket{Bucket: blob.PrefixedBucket(b.Bucket, prefix), dir: b.dir, prefix: b.prefix + prefix, url: b.url}
}

// String names the bucket for messages, without credentials.
func (b *Bucket) String() string { return redact(b.url) }

// Sync makes every write made so far durable. For S3 and GCS that is
// already so; a file:// bucket's file system is flushed with syncfs(2).
func (b *Bucket) Sync() error {
	if b.dir == "" {
		return nil
	}
	f, err := os.Open(b.dir)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := unix.Syncfs(int(f.Fd())); err != nil {
		return fmt.Errorf("syncing %s: %w", b.dir, err)
	}
	return nil
}

// SyncKeys makes the objects at keys durable. For a file:// bucket it
// fsyncs each object's file and directory, which is cheaper than Sync when
// few objects were written; for S3 and GCS writes are durable already.
func (b *Bucket) SyncKeys(keys ...string) error {
	if b.dir == "" {
		return nil
	}
	dirs := map[string]bool{}
	for _, k := range keys {
		p := filepath.Join(b.dir, filepath.FromSlash(b.prefix+k))
		if err := fsync(p); err != nil {
			return fmt.Errorf("syncing %s: %w", k, err)
		}
		dirs[filepath.Dir(p)] = true
	}
	for d := range dirs {
		if err := fsync(d); err != nil {
			return fmt.Errorf("syncing %s: %w", d, err)
		}
	}
	return nil
}

func fsync(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	q := u.Query()
	for k := range q {
		if strings.Contains(strings.ToLower(k), "secret") || strings.Contains(strings.ToLower(k), "token") {
			q.Set(k, "REDACTED")
		}
	}
	u.RawQuery = q.Encode()
	u.User = nil
	return u.String()
}
