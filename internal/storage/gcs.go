//go:build gcs

package storage

import (
	"context"
	"errors"
	"io"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/gcsblob" // gs:// URLs, with Google credentials
	"gocloud.dev/gcerrors"
)

func init() { openGCS = openGocloud }

// gocloudBackend is a bucket reached through gocloud.dev/blob; pid1 uses it
// only for gs://, in builds with -tags gcs.
type gocloudBackend struct{ b *blob.Bucket }

func openGocloud(ctx context.Context, rawURL string) (backend, error) {
	b, err := blob.OpenBucket(ctx, rawURL)
	if err != nil {
		return nil, err
	}
	return gocloudBackend{b}, nil
}

func gocloudError(key string, err error) error {
	if gcerrors.Code(err) == gcerrors.NotFound {
		return errors.Join(notFound(key), err)
	}
	return err
}

func (g gocloudBackend) reader(ctx context.Context, key string) (io.ReadCloser, error) {
	r, err := g.b.NewReader(ctx, key, nil)
	if err != nil {
		return nil, gocloudError(key, err)
	}
	return r, nil
}

func (g gocloudBackend) writer(ctx context.Context, key string) (io.WriteCloser, error) {
	return g.b.NewWriter(ctx, key, nil)
}

func (g gocloudBackend) remove(ctx context.Context, key string) error {
	return gocloudError(key, g.b.Delete(ctx, key))
}

func (g gocloudBackend) exists(ctx context.Context, key string) (bool, error) {
	return g.b.Exists(ctx, key)
}

func (g gocloudBackend) list(ctx context.Context, prefix string, yield func(string) bool) error {
	it := g.b.List(&blob.ListOptions{Prefix: prefix})
	for {
		o, err := it.Next(ctx)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if !yield(o.Key) {
			return nil
		}
	}
}

func (g gocloudBackend) close() error { return g.b.Close() }
