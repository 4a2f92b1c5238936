// Package storage is the object storage that gcsfiles and snapshot persist
// to: a file:// bucket (pid1's embedded default, under its state
// directory), s3:// (AWS or any S3-compatible server) or, in a build with
// -tags gcs, gs://.
//
// A Bucket is a flat space of keys ("a/b/c") holding byte strings. An
// object appears whole or not at all: a writer's object exists only once
// its Close succeeds, and a writer whose context ends first leaves
// nothing. A write to S3 or GCS is durable when it returns; a file://
// bucket is made durable by Sync or SyncKeys.
//
// The file:// and s3:// backends are pid1's own, over the file system and
// the AWS SDK's S3 client; they keep the key layout of gocloud.dev's
// fileblob and s3blob, which earlier versions of pid1 used, so buckets
// written by those versions read the same.
package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// ErrNotFound is in the chain of every error about a key the bucket does
// not hold.
var ErrNotFound = errors.New("no such object")

// backend is one kind of bucket. Keys reach it unescaped and prefixed.
type backend interface {
	reader(ctx context.Context, key string) (io.ReadCloser, error)
	// writer's object appears on a successful Close; if ctx ends before
	// that, Close fails and nothing is written.
	writer(ctx context.Context, key string) (io.WriteCloser, error)
	// remove fails with ErrNotFound for a key the bucket does not hold,
	// where the backend can tell.
	remove(ctx context.Context, key string) error
	exists(ctx context.Context, key string) (bool, error)
	// list calls yield with every key that starts with prefix, until
	// yield returns false.
	list(ctx context.Context, prefix string, yield func(key string) bool) error
	close() error
}

// Bucket is an opened bucket, or a prefixed view of one.
type Bucket struct {
	be     backend
	dir    string // the directory of a file:// bucket; "" otherwise
	prefix string // what Prefixed added to every key
	url    string
}

// Open opens the bucket at rawURL. A file:// directory is created if
// missing.
func Open(ctx context.Context, rawURL string) (*Bucket, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("storage URL %q: %w", redact(rawURL), err)
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
		return &Bucket{be: &fileBackend{dir: dir}, dir: dir, url: rawURL}, nil
	case "s3":
		be, err := openS3(ctx, u)
		if err != nil {
			// an SDK's message may quote the URL, credentials and all
			return nil, fmt.Errorf("storage URL %q: %s", redact(rawURL), strings.ReplaceAll(err.Error(), rawURL, redact(rawURL)))
		}
		return &Bucket{be: be, url: rawURL}, nil
	case "gs":
		if openGCS == nil {
			return nil, fmt.Errorf("storage URL %q: %s", redact(rawURL), errNoGCS)
		}
		be, err := openGCS(ctx, rawURL)
		if err != nil {
			return nil, fmt.Errorf("storage URL %q: %s", redact(rawURL), strings.ReplaceAll(err.Error(), rawURL, redact(rawURL)))
		}
		return &Bucket{be: be, url: rawURL}, nil
	}
	return nil, fmt.Errorf("storage URL %q: the scheme must be file://, s3:// or gs://", redact(rawURL))
}

// Prefixed returns a view of b in which every key starts with prefix.
// Closing the view closes b.
func (b *Bucket) Prefixed(prefix string) *Bucket {
	return &Bucket{be: b.be, dir: b.dir, prefix: b.prefix + prefix, url: b.url}
}

// String names the bucket for messages, without credentials.
func (b *Bucket) String() string { return redact(b.url) }

// Close releases what the bucket holds.
func (b *Bucket) Close() error { return b.be.close() }

// NewReader opens the object at key for reading.
func (b *Bucket) NewReader(ctx context.Context, key string) (io.ReadCloser, error) {
	return b.be.reader(ctx, b.prefix+key)
}

// NewWriter starts writing the object at key. The object appears,
// replacing any before it, when Close succeeds; if ctx ends first, Close
// fails and the bucket is left as it was.
func (b *Bucket) NewWriter(ctx context.Context, key string) (io.WriteCloser, error) {
	return b.be.writer(ctx, b.prefix+key)
}

// ReadAll returns the whole object at key.
func (b *Bucket) ReadAll(ctx context.Context, key string) ([]byte, error) {
	r, err := b.NewReader(ctx, key)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// WriteAll makes data the object at key.
func (b *Bucket) WriteAll(ctx context.Context, key string, data []byte) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := b.NewWriter(ctx, key)
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		cancel() // abandons the object
		w.Close()
		return err
	}
	return w.Close()
}

// Delete removes the object at key; the error is ErrNotFound if the
// bucket does not hold it (S3 does not tell, and answers nil).
func (b *Bucket) Delete(ctx context.Context, key string) error {
	return b.be.remove(ctx, b.prefix+key)
}

// Exists reports whether the bucket holds an object at key.
func (b *Bucket) Exists(ctx context.Context, key string) (bool, error) {
	return b.be.exists(ctx, b.prefix+key)
}

// List yields every key that starts with prefix, with the view's own
// prefix taken off, in lexical order; an error ends it.
func (b *Bucket) List(ctx context.Context, prefix string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		stopped := false
		err := b.be.list(ctx, b.prefix+prefix, func(key string) bool {
			if !yield(strings.TrimPrefix(key, b.prefix), nil) {
				stopped = true
				return false
			}
			return true
		})
		if err != nil && !stopped {
			yield("", err)
		}
	}
}

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
		p := b.be.(*fileBackend).path(b.prefix + k)
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

// redact is raw without its user information and with the values of
// query parameters that name a secret or a token replaced.
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
