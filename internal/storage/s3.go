package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// s3Backend keeps objects in one S3 bucket through the AWS SDK. Keys are
// escaped by escapeDotDotSlash, as gocloud.dev's s3blob did.
type s3Backend struct {
	bucket string
	client *s3.Client
	tm     *transfermanager.Client
}

func openS3(ctx context.Context, u *url.URL) (*s3Backend, error) {
	if u.Host == "" {
		return nil, errors.New("an s3:// URL names its bucket: s3://BUCKET?region=…")
	}
	cfg, opts, err := s3Config(ctx, u.Query())
	if err != nil {
		return nil, err
	}
	// An S3-compatible server may answer without a checksum; the SDK
	// would log a warning for every such read.
	opts = append(opts, func(o *s3.Options) { o.DisableLogOutputChecksumValidationSkipped = true })
	client := s3.NewFromConfig(cfg.aws, opts...)
	tm := transfermanager.New(client, func(o *transfermanager.Options) {
		// the transfer manager ignores the client's setting; see s3Config
		o.RequestChecksumCalculation = cfg.aws.RequestChecksumCalculation
	})
	return &s3Backend{bucket: u.Host, client: client, tm: tm}, nil
}

func (b *s3Backend) key(key string) *string {
	return aws.String(escapeKey(key, escapeDotDotSlash))
}

// s3Error puts ErrNotFound in the chain of an error about a missing key.
func s3Error(key string, err error) error {
	var ae smithy.APIError
	var re *awshttp.ResponseError
	switch {
	case errors.As(err, &ae) && (ae.ErrorCode() == "NoSuchKey" || ae.ErrorCode() == "NotFound"):
	case errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound:
	default:
		return err
	}
	return fmt.Errorf("storage: %q: %w (%v)", key, ErrNotFound, err)
}

func (b *s3Backend) reader(ctx context.Context, key string) (io.ReadCloser, error) {
	out, err := b.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &b.bucket, Key: b.key(key)})
	if err != nil {
		return nil, s3Error(key, err)
	}
	return out.Body, nil
}

func (b *s3Backend) writer(ctx context.Context, key string) (io.WriteCloser, error) {
	pr, pw := io.Pipe()
	w := &s3Writer{pw: pw, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		_, w.err = b.tm.UploadObject(ctx, &transfermanager.UploadObjectInput{Bucket: &b.bucket, Key: b.key(key), Body: pr})
		if w.err == nil {
			w.err = ctx.Err() // a part may have gone before the context ended
		}
		pr.CloseWithError(w.err) // a writer still writing hears of the failure
	}()
	return w, nil
}

// s3Writer pipes what is written into one upload (a single PUT, or a
// multipart upload for a large object), which completes on Close.
type s3Writer struct {
	pw   *io.PipeWriter
	done chan struct{}
	err  error // set before done closes
}

func (w *s3Writer) Write(b []byte) (int, error) { return w.pw.Write(b) }

func (w *s3Writer) Close() error {
	w.pw.Close()
	<-w.done
	return w.err
}

func (b *s3Backend) remove(ctx context.Context, key string) error {
	_, err := b.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &b.bucket, Key: b.key(key)})
	return s3Error(key, err)
}

func (b *s3Backend) exists(ctx context.Context, key string) (bool, error) {
	_, err := b.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &b.bucket, Key: b.key(key)})
	if err = s3Error(key, err); errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

func (b *s3Backend) list(ctx context.Context, prefix string, yield func(string) bool) error {
	p := s3.NewListObjectsV2Paginator(b.client, &s3.ListObjectsV2Input{Bucket: &b.bucket, Prefix: b.key(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, o := range page.Contents {
			if k := unescapeKey(aws.ToString(o.Key)); strings.HasPrefix(k, prefix) && !yield(k) {
				return nil
			}
		}
	}
	return nil
}

func (b *s3Backend) close() error { return nil }
