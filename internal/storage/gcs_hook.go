package storage

import "context"

// openGCS opens a gs:// bucket; it is nil in the default build, where the
// Google Cloud Storage client (which adds about 15 MiB to pid1's resident
// memory) is left out. gcs.go sets it in a build with -tags gcs.
var openGCS func(ctx context.Context, rawURL string) (backend, error)

// errNoGCS explains what to do instead.
const errNoGCS = "this pid1 was built without the Google Cloud Storage client (it adds about 15 MiB of memory): " +
	"rebuild with `go build -tags gcs`, or reach the bucket through GCS's S3-compatible endpoint with HMAC keys: " +
	"s3://BUCKET?endpoint=https://storage.googleapis.com&region=auto"
